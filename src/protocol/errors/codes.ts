/**
 * The closed set of Disco error codes. Each code has a kind (who is at fault) and the OAuth-style
 * wire error it maps to (RFC 6749 §5.2, RFC 8628 §3.5, OpenID CIBA §11) with its HTTP status.
 * Callers `switch (err.code)`; the codes never change meaning once released.
 */
export type ErrorKind = 'input' | 'trust' | 'transport' | 'internal';

export type WireError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'access_denied'
  | 'invalid_scope'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_token'
  | 'server_error'
  | 'temporarily_unavailable';

interface CodeSpec {
  readonly kind: ErrorKind;
  readonly wire: WireError;
  readonly status: number;
}

const input = (wire: WireError = 'invalid_request', status = 400): CodeSpec => ({
  kind: 'input',
  wire,
  status,
});
const trust = (wire: WireError, status = 400): CodeSpec => ({ kind: 'trust', wire, status });

export const ERROR_CODES = {
  // generic input
  ERR_INVALID_INPUT: input(),
  ERR_TOO_LARGE: input('invalid_request', 413),
  ERR_NOT_FOUND: input('invalid_request', 404),
  ERR_METHOD_NOT_ALLOWED: input('invalid_request', 405),
  // storage
  ERR_STORE_CONFLICT: input('invalid_request', 409),
  ERR_STORE_FAILED: { kind: 'internal', wire: 'server_error', status: 500 },
  // vault
  ERR_VAULT_INVALID: input(),
  // device identity
  ERR_IDENTITY_MISSING: { kind: 'internal', wire: 'temporarily_unavailable', status: 503 },
  ERR_IDENTITY_EXISTS: input('invalid_request', 409),
  ERR_PASSPHRASE_WEAK: input(),
  // backup
  ERR_BACKUP_MALFORMED: input(),
  ERR_BACKUP_VERSION: input(),
  ERR_BACKUP_DECRYPT: trust('invalid_request'),
  // JOSE envelopes (JWE)
  ERR_JWE_MALFORMED: input(),
  ERR_JWE_ALG_NOT_ALLOWED: trust('invalid_request'),
  ERR_JWE_DECRYPTION_FAILED: trust('invalid_request'),
  ERR_JWE_KEY_UNSUPPORTED: input(),
  // tokens (JWS / JWT)
  ERR_JWT_MALFORMED: trust('invalid_grant'),
  ERR_JWT_ALG_NOT_ALLOWED: trust('invalid_grant'),
  ERR_JWT_SIGNATURE_INVALID: trust('invalid_grant'),
  ERR_JWT_EXPIRED: trust('invalid_grant'),
  ERR_JWT_NOT_YET_VALID: trust('invalid_grant'),
  ERR_JWT_CLAIM_INVALID: trust('invalid_grant'),
  ERR_JWT_REPLAYED: trust('invalid_grant'),
  // client certificates (X.509)
  ERR_CERT_MALFORMED: input('invalid_client'),
  ERR_CERT_EXPIRED: trust('invalid_client'),
  ERR_CERT_NOT_YET_VALID: trust('invalid_client'),
  ERR_CERT_SIGNATURE_INVALID: trust('invalid_client'),
  ERR_CERT_UNTRUSTED: trust('invalid_client'),
  ERR_CERT_KEY_USAGE: trust('invalid_client'),
  ERR_CERT_BASIC_CONSTRAINTS: trust('invalid_client'),
  ERR_CERT_KEY_UNSUPPORTED: trust('invalid_client'),
  // signed client requests (RP → device)
  ERR_REQUEST_MALFORMED: input(),
  ERR_REQUEST_SIGNATURE: trust('invalid_client', 401),
  ERR_REQUEST_EXPIRED: trust('invalid_request'),
  ERR_REQUEST_REPLAYED: trust('invalid_request'),
  ERR_REQUEST_WRONG_AUDIENCE: trust('invalid_request'),
  // clients
  ERR_CLIENT_UNKNOWN: trust('invalid_client', 401),
  ERR_CLIENT_SECRET: trust('invalid_client', 401),
  ERR_CLIENT_EXISTS: input('invalid_request', 409),
  ERR_CLIENT_NOT_TRUSTED: trust('unauthorized_client', 403),
  ERR_CLIENT_REVOKED: trust('invalid_client', 401),
  // grants, scopes and tokens in use
  ERR_SCOPE_INVALID: input('invalid_scope'),
  ERR_SCOPE_EXCEEDS_GRANT: trust('invalid_scope'),
  ERR_GRANT_REVOKED: trust('invalid_grant'),
  ERR_KEY_B_USED: trust('invalid_grant'),
  ERR_AUDIENCE_MISMATCH: trust('invalid_grant'),
  ERR_CNF_MISMATCH: trust('invalid_grant'),
  // consent (RFC 8628 §3.5, OpenID CIBA §11)
  ERR_AUTHORIZATION_PENDING: input('authorization_pending'),
  ERR_SLOW_DOWN: input('slow_down'),
  ERR_ACCESS_DENIED: trust('access_denied', 403),
  ERR_CONSENT_EXPIRED: input('expired_token'),
  ERR_CONSENT_UNKNOWN: input('invalid_request', 404),
  ERR_CONSENT_DECIDED: input('invalid_request', 409),
  // relay (docs/wire/relay.md)
  ERR_PAIRING_UNKNOWN: input('invalid_request', 404),
  ERR_PAIRING_USED: input('invalid_request', 409),
  ERR_CALLBACK_REFUSED: input(),
  ERR_WAIT_TOKEN: trust('invalid_client', 401),
  ERR_RATE_LIMITED: input('temporarily_unavailable', 429),
  ERR_RELAY_BUSY: { kind: 'transport', wire: 'temporarily_unavailable', status: 503 },
  // relay cluster: the shared store (Redis) cannot be reached
  ERR_RELAY_STORE_UNAVAILABLE: { kind: 'transport', wire: 'temporarily_unavailable', status: 503 },
  // relay hardening (src/server/relay, issue #12.10): an upload that came too slowly
  ERR_REQUEST_TIMEOUT: input('invalid_request', 408),
  // relying-party SDK
  ERR_TRANSPORT_FAILED: { kind: 'transport', wire: 'temporarily_unavailable', status: 503 },
  ERR_DEVICE_UNREACHABLE: { kind: 'transport', wire: 'temporarily_unavailable', status: 504 },
  ERR_TIMEOUT: { kind: 'transport', wire: 'temporarily_unavailable', status: 504 },
  // The caller's own AbortSignal: no answer came (never on the wire; 499 as nginx logs it).
  ERR_ABORTED: { kind: 'transport', wire: 'temporarily_unavailable', status: 499 },
  ERR_RESPONSE_UNTRUSTED: trust('server_error', 502),
  // src/protocol/ic (Internet Computer agent, docs/ic.md)
  ERR_IC_CBOR_MALFORMED: input(),
  ERR_IC_CBOR_LIMIT: input('invalid_request', 413),
  ERR_IC_PRINCIPAL_INVALID: input(),
  ERR_IC_KEY_INVALID: input(),
  ERR_IC_KEY_UNSUPPORTED: input(),
  ERR_IC_SIGNATURE_INVALID: trust('invalid_grant'),
  ERR_IC_TREE_MALFORMED: input(),
  ERR_IC_CERT_MALFORMED: input(),
  ERR_IC_CERT_SIGNATURE_INVALID: trust('invalid_grant'),
  ERR_IC_CERT_DELEGATION_INVALID: trust('invalid_grant'),
  ERR_IC_CERT_NOT_AUTHORIZED: trust('invalid_grant'),
  ERR_IC_CERT_STALE: trust('invalid_grant'),
  ERR_IC_DELEGATION_MALFORMED: input(),
  ERR_IC_DELEGATION_EXPIRED: trust('invalid_grant'),
  ERR_IC_DELEGATION_TOO_LONG: trust('invalid_grant'),
  ERR_IC_DELEGATION_KEY_REPEATED: trust('invalid_grant'),
  ERR_IC_DELEGATION_TARGET: trust('invalid_grant'),
  ERR_IC_DELEGATION_SIGNER_MISMATCH: trust('invalid_grant'),
  ERR_IC_CANISTER_SIG_INVALID: trust('invalid_grant'),
  ERR_IC_REJECTED: { kind: 'transport', wire: 'temporarily_unavailable', status: 502 },
  // Internet Identity sign-in in the device app (src/app/lib/ii_popup.ts, docs/ic.md)
  ERR_II_MESSAGE_MALFORMED: input(),
  ERR_II_REFUSED: trust('access_denied', 403),
  ERR_II_POPUP_BLOCKED: input(),
  ERR_II_POPUP_CLOSED: input('access_denied', 403),
  ERR_II_TIMEOUT: { kind: 'transport', wire: 'temporarily_unavailable', status: 504 },
  // the Internet Identity principal released with a proof (src/protocol/ic/principal_proof)
  ERR_IC_PROOF_MALFORMED: input(),
  ERR_IC_PROOF_CHALLENGE: trust('invalid_grant'),
  ERR_IC_PROOF_PRINCIPAL: trust('invalid_grant'),
  ERR_IC_PROOF_SIGNATURE: trust('invalid_grant'),
  // src/protocol/certificates (capability certificates, docs/wire/certificates.md)
  ERR_CAP_MALFORMED: input(),
  ERR_CAP_TOO_LARGE: input('invalid_request', 413),
  ERR_CAP_NON_CANONICAL: input(),
  ERR_CAP_UNKNOWN_ALGORITHM: input(),
  ERR_CAP_GLOB_INVALID: input(),
  ERR_CAP_ORIGIN_MISMATCH: input(),
  ERR_CAP_SIGNATURE_INVALID: trust('invalid_grant', 401),
  ERR_CAP_EXPIRED: trust('invalid_grant'),
  ERR_CAP_NOT_YET_VALID: trust('invalid_grant'),
  ERR_CAP_UNTRUSTED_ISSUER: trust('invalid_grant', 403),
  ERR_CAP_WRONG_SUBJECT: trust('invalid_grant', 403),
  ERR_CAP_PROOF_MISMATCH: trust('invalid_grant'),
  ERR_CAP_CHAIN_TOO_LONG: trust('invalid_grant'),
  ERR_CAP_WIDENED: trust('invalid_grant', 403),
  ERR_CAP_RESOURCE_NOT_COVERED: trust('invalid_scope', 403),
  ERR_CAP_ACTION_NOT_GRANTED: trust('invalid_scope', 403),
  ERR_CAP_AUDIENCE_MISMATCH: trust('invalid_grant'),
  ERR_CAP_DIGEST_MISMATCH: trust('invalid_grant'),
  ERR_CAP_REPLAYED: trust('invalid_grant'),
  ERR_CAP_REVOKED: trust('invalid_grant', 403),
  ERR_CAP_REVOCATIONS_STALE: trust('temporarily_unavailable', 503),
  ERR_CAP_REVOCATIONS_ROLLBACK: trust('invalid_request'),
  // src/protocol/nodetrust, src/server/nodetrust (docs/wire/nodetrust.md)
  ERR_NODETRUST_MALFORMED: input(),
  ERR_NODETRUST_PEER_ID_INVALID: input(),
  ERR_NODETRUST_NAME_INVALID: input(),
  ERR_NODETRUST_CHALLENGE_UNKNOWN: trust('invalid_grant'),
  ERR_NODETRUST_SIGNATURE_INVALID: trust('invalid_client', 401),
  ERR_NODETRUST_REQUEST_EXPIRED: trust('invalid_request'),
  ERR_NODETRUST_REQUEST_REPLAYED: trust('invalid_request'),
  ERR_NODETRUST_WRONG_AUDIENCE: trust('invalid_request'),
  ERR_NODETRUST_NO_PROOFS: input(),
  ERR_NODETRUST_PROOF_INVALID: trust('invalid_grant'),
  ERR_NODETRUST_PROOF_EXPIRED: trust('invalid_grant'),
  ERR_NODETRUST_PROOF_UNTRUSTED: trust('invalid_grant'),
  ERR_NODETRUST_PROOF_PEER: trust('invalid_grant'),
  ERR_NODETRUST_NAME_NOT_COVERED: trust('access_denied', 403),
  ERR_NODETRUST_NO_ALGORITHM: input(),
  ERR_NODETRUST_CSR_INVALID: input(),
  ERR_NODETRUST_CSR_KEY: input(),
  ERR_NODETRUST_UNAUTHORIZED: trust('invalid_client', 401),
  ERR_NODETRUST_BUSY: input('temporarily_unavailable', 429),
  ERR_NODETRUST_DNS_FAILED: { kind: 'transport', wire: 'temporarily_unavailable', status: 502 },
  ERR_NODETRUST_CA_FAILED: { kind: 'transport', wire: 'temporarily_unavailable', status: 502 },
  ERR_NODETRUST_NO_PROOF_SERVER: {
    kind: 'transport',
    wire: 'temporarily_unavailable',
    status: 503,
  },
  // src/protocol/nodetrust/relay_record.ts (the relay's signed discovery record)
  ERR_NODETRUST_RECORD_PEER: trust('invalid_grant'),
  ERR_NODETRUST_RECORD_EXPIRED: trust('invalid_grant'),
  ERR_NODETRUST_RECORD_STALE: trust('invalid_request', 409),
  ERR_NODETRUST_RECORD_CERTIFICATE: trust('invalid_grant'),
  // device certificates at pairing (src/protocol/nodetrust/device_certificate.ts, src/sdk/pairing.ts)
  ERR_DEVICE_CERT_REQUIRED: trust('access_denied', 403),
  ERR_DEVICE_CERT_MALFORMED: trust('invalid_client'),
  ERR_DEVICE_CERT_NAME: trust('invalid_client'),
  ERR_DEVICE_CERT_SIGNATURE: trust('invalid_client'),
  // anything not meant for the client
  ERR_INTERNAL: { kind: 'internal', wire: 'server_error', status: 500 },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
