import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../protocol/x509/index.js';
import { codeOf } from '../testing/code_of.js';
import { createClientIdentity, importClientIdentity } from './client_identity.js';

const clock = { now: () => Date.now() };

describe('a client identity', () => {
  it.each(['P-256', 'RSA'] as const)(
    'carries its certificate thumbprint (%s), as the device computes it',
    async (kind) => {
      const made = await createClientIdentity({ name: 'Partner', kind, clock });
      const { thumbprint } = await parseCertificate(made.certificatePem);
      expect(made.thumbprint).toBe(thumbprint);
      const imported = await importClientIdentity(made.certificatePem, made.pkcs8, kind);
      expect(imported.thumbprint).toBe(thumbprint);
    },
  );

  it('refuses a certificate that is not PEM', async () => {
    const made = await createClientIdentity({ name: 'Partner', clock });
    expect(await codeOf(importClientIdentity('hello', made.pkcs8, 'P-256'))).toBe(
      'ERR_CERT_MALFORMED',
    );
  });
});
