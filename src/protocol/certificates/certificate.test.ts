import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action } from './capabilities.js';
import { issueCertificate } from './issue_certificate.js';
import { parseCertificate } from './parse_certificate.js';
import { generateKey } from './test_keys.js';

describe('certificates', () => {
  it('round-trip: what is issued parses back the same, with a stable id (property)', async () => {
    const device = await generateKey();
    const app = await generateKey();
    // Profile values are printable text (no control characters, no outer spaces).
    const text = fc
      .string({ unit: fc.constantFrom('A', 'd', 'é', ' ', '😀'), minLength: 1, maxLength: 40 })
      .filter((v) => v.trim() === v);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            resource: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.isWellFormed()),
            actions: fc.uniqueArray(fc.constantFrom<Action>(...ACTIONS), {
              minLength: 1,
              maxLength: 5,
            }),
          }),
          { minLength: 1, maxLength: 16 },
        ),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 366 * 86_400 }),
        fc.option(text, { nil: undefined }),
        async (capabilities, notBefore, lifetime, name) => {
          const issued = await issueCertificate(
            {
              issuer: device.publicKey,
              subject: app.publicKey,
              capabilities,
              notBefore,
              expiresAt: notBefore + lifetime,
              nonce: new Uint8Array(12),
              ...(name === undefined ? {} : { profile: { name } }),
            },
            device.sign,
          );
          const parsed = await parseCertificate(issued.bytes);
          expect(parsed.id).toBe(issued.id);
          expect(parsed.capabilities).toEqual(capabilities);
          expect([parsed.notBefore, parsed.expiresAt]).toEqual([notBefore, notBefore + lifetime]);
          expect(parsed.profile?.name).toBe(name);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a certificate longer than 366 days or ending before it starts', async () => {
    const device = await generateKey();
    const base = {
      issuer: device.publicKey,
      subject: device.publicKey,
      capabilities: [{ resource: 'x', actions: ['read' as const] }],
      nonce: new Uint8Array(12),
    };
    for (const [notBefore, expiresAt] of [
      [100, 100],
      [100, 99],
      [0, 366 * 86_400 + 1],
    ]) {
      await expect(
        issueCertificate({ ...base, notBefore: notBefore!, expiresAt: expiresAt! }, device.sign),
      ).rejects.toMatchObject({
        code: 'ERR_CAP_MALFORMED',
      });
    }
  });
});
