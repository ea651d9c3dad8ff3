import { describe, expect, it } from 'vitest';
import { errors } from 'jose';
import { fromJoseError } from './map_jose_error.js';
import { splitCompact } from './compact.js';

/** Error messages are sentences for people, never a library's raw text (issue #16). */
describe('JOSE error messages', () => {
  const sentence = /^[A-Z].*\.$/;

  it('maps jose errors to our sentence, keeping jose’s text only as the cause', () => {
    const raw = new errors.JWSInvalid('Compact JWS must be a string or Uint8Array');
    const err = fromJoseError(raw, 'verify');
    expect(err.code).toBe('ERR_JWT_MALFORMED');
    expect(err.message).toMatch(sentence);
    expect(err.message).not.toContain('Compact JWS');
    expect(err.cause).toBe(raw);
  });

  it('names the claim that failed', () => {
    const raw = new errors.JWTClaimValidationFailed('unexpected "aud" claim value', {}, 'aud');
    expect(fromJoseError(raw, 'verify').message).toMatch(/the "aud" claim\)\.$/);
  });

  it.each(['x', 'a.b', 'a.b.c.d', '.b.c'])('splitting %j says what is wrong in a sentence', (s) => {
    expect(() => splitCompact(s, 3, 1000, 'ERR_JWT_MALFORMED')).toThrow(
      expect.objectContaining({
        code: 'ERR_JWT_MALFORMED',
        message: expect.stringMatching(sentence),
      }),
    );
  });
});
