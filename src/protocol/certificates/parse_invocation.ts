import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { ACTIONS } from './capabilities.js';
import { openEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import {
  isText,
  keyField,
  nonceField,
  onlyFields,
  optional,
  textField,
  timeField,
} from './fields.js';
import { INVOCATION_FIELDS, type Invocation } from './invocation.js';
import { CAPABILITY_LIMITS } from './limits.js';

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `invocation: ${why}`);

/** Parses an invocation and checks its signature by `iss`; the rest is `verifyCapability`'s. */
export async function parseInvocation(input: Uint8Array): Promise<Invocation> {
  const opened = await openEnvelope(input, TAGS.invocation, CAPABILITY_LIMITS.maxInvocationBytes);
  const body = opened.body;
  onlyFields(body, INVOCATION_FIELDS);
  const resource = body.res;
  if (typeof resource !== 'string' || !isText(resource, CAPABILITY_LIMITS.maxResourceLength)) {
    throw malformed('res: 1 to 512 characters');
  }
  const action = body.act;
  if (
    typeof action !== 'string' ||
    action === '*' ||
    !(ACTIONS as readonly string[]).includes(action)
  ) {
    throw malformed('act: one known action');
  }
  const dig = body.dig;
  if (dig !== undefined && (!(dig instanceof Uint8Array) || dig.length !== 32)) {
    throw malformed('dig: a 32-byte SHA-256');
  }
  const prf = body.prf;
  if (!Array.isArray(prf) || prf.length === 0) throw malformed('prf: a non-empty list');
  if (prf.length > CAPABILITY_LIMITS.maxChainLength) {
    throw new DiscoError('ERR_CAP_CHAIN_TOO_LONG', 'invocation: more than 5 certificates');
  }
  if (prf.some((id) => !(id instanceof Uint8Array) || id.length !== 32)) {
    throw malformed('prf: 32-byte ids');
  }
  const iat = timeField(body, 'iat');
  const exp = timeField(body, 'exp');
  if (exp <= iat || exp - iat > CAPABILITY_LIMITS.maxInvocationLifetime) {
    throw malformed('exp: after iat, at most 5 minutes later');
  }
  const invocation: Invocation = {
    id: opened.id,
    invoker: keyField(body, 'iss'),
    audience: textField(body, 'aud', 512),
    resource,
    action: action as Invocation['action'],
    ...optional('digest', dig),
    proofs: (prf as Uint8Array[]).map((id) => b64u.encode(id)),
    nonce: nonceField(body),
    issuedAt: iat,
    expiresAt: exp,
  };
  if (!(await verifyEd25519(invocation.invoker, opened.signed, opened.signature))) {
    throw new DiscoError('ERR_CAP_SIGNATURE_INVALID', 'invocation: not signed by its invoker');
  }
  return invocation;
}
