import { b64u } from '../encoding/index.js';
import { sealEnvelope, TAGS, type Signer } from './envelope.js';
import type { InvocationInput } from './invocation.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { parseInvocation } from './parse_invocation.js';

/**
 * Signs one use with the app's key (the certificate's subject). `now` is milliseconds; the
 * invocation is valid for `validFor` seconds (default and maximum 300).
 */
export async function createInvocation(
  input: InvocationInput,
  sign: Signer,
  now: number,
  validFor: number = CAPABILITY_LIMITS.maxInvocationLifetime,
) {
  const iat = secondsOf(now);
  const { bytes } = await sealEnvelope(
    TAGS.invocation,
    {
      iss: input.invoker,
      aud: input.audience,
      res: input.resource,
      act: input.action,
      dig: input.digest,
      prf: input.proofs.map((id) => b64u.decode(id)),
      nonce: input.nonce,
      iat,
      exp: iat + Math.min(validFor, CAPABILITY_LIMITS.maxInvocationLifetime),
    },
    sign,
  );
  return { bytes, invocation: await parseInvocation(bytes) };
}
