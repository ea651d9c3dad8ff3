import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { der, makeCert, testKeys } from '../../testing/x509_certs.js';
import { parseCertificate, thumbprint } from './index.js';

describe('thumbprint (RFC 8705 §3.1 x5t#S256)', () => {
  it('is SHA-256 over the DER, base64url without padding', async () => {
    const cert = await makeCert({ subject: 'CN=client', keys: await testKeys('P-256') });
    const bytes = der(cert);
    const expected = createHash('sha256').update(bytes).digest('base64url');
    expect(await thumbprint(bytes)).toBe(expected);
    expect(await thumbprint(cert.rawData)).toBe(expected);
    expect((await parseCertificate(bytes)).thumbprint).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('matches a known digest', async () => {
    // SHA-256("abc"), FIPS 180-2 Appendix B.1, in base64url
    expect(await thumbprint(new TextEncoder().encode('abc'))).toBe(
      'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
    );
  });
});
