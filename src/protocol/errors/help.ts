import type { ErrorCode } from './codes.js';

/**
 * What each code means and what the one who got it should do: the source of docs/errors.md
 * (`npm run docs:errors`; a test fails when the file and this table differ). `who` names the
 * reader who usually meets the code: an integrator (company), the person, or an operator.
 */
export interface ErrorHelp {
  meaning: string;
  action: string;
}

const retry = 'Retry later; if it persists, check the relay and the device.';

export const ERROR_HELP: Record<ErrorCode, ErrorHelp> = {
  ERR_INVALID_INPUT: {
    meaning: 'A value is missing, of the wrong type or out of range.',
    action: 'Fix the input; the message names the value.',
  },
  ERR_TOO_LARGE: {
    meaning: 'A body, header, file or field is larger than its limit.',
    action: 'Send less; the limits are in the wire docs.',
  },
  ERR_NOT_FOUND: { meaning: 'No such path or record.', action: 'Check the URL or id.' },
  ERR_METHOD_NOT_ALLOWED: {
    meaning: 'The path exists but not with this HTTP method.',
    action: 'Use the method the wire docs give.',
  },
  ERR_STORE_CONFLICT: {
    meaning:
      'A record changed or already existed while this was being written; nothing was written.',
    action: 'Read again and retry once.',
  },
  ERR_STORE_FAILED: {
    meaning: "The device's storage failed (full disk, blocked database).",
    action: 'The person frees space or closes other Disco windows; retry.',
  },
  ERR_VAULT_INVALID: {
    meaning: 'A field of personal data does not have a valid value.',
    action: 'The person corrects the field; the message says what is wrong.',
  },
  ERR_IDENTITY_MISSING: {
    meaning: 'This device has no identity yet (not set up, or storage was cleared).',
    action: 'The person sets up the device or restores a backup.',
  },
  ERR_IDENTITY_EXISTS: {
    meaning: 'This device already has an identity.',
    action: 'Nothing to do; restoring over it requires removing it first.',
  },
  ERR_PASSPHRASE_WEAK: {
    meaning: 'The passphrase is too short or too common.',
    action: 'Choose a longer passphrase (12 characters or more).',
  },
  ERR_BACKUP_MALFORMED: {
    meaning: 'The file is not a Disco backup, or it is damaged or truncated.',
    action: 'Use the backup file as it was saved; nothing was restored.',
  },
  ERR_BACKUP_VERSION: {
    meaning: 'The backup was made by a newer Disco.',
    action: 'Update Disco, then restore.',
  },
  ERR_BACKUP_DECRYPT: {
    meaning: 'The passphrase is wrong, or the file was changed.',
    action: 'Type the passphrase the backup was made with; nothing was restored.',
  },
  ERR_JWE_MALFORMED: {
    meaning: 'An encrypted envelope is not a well-formed compact JWE.',
    action: 'Send what the SDK builds; do not alter envelopes.',
  },
  ERR_JWE_ALG_NOT_ALLOWED: {
    meaning: 'The envelope uses an algorithm Disco does not accept.',
    action: 'Use the SDK (ECDH-ES+A256KW or RSA-OAEP-256 with A256GCM).',
  },
  ERR_JWE_DECRYPTION_FAILED: {
    meaning: 'The envelope could not be opened: wrong key, or tampered in transit.',
    action: 'Check that the device pinned at pairing is the one you write to.',
  },
  ERR_JWE_KEY_UNSUPPORTED: {
    meaning: 'The key for the envelope is of an unsupported type.',
    action: 'Use a P-256 or RSA client certificate.',
  },
  ERR_JWT_MALFORMED: {
    meaning: 'A signed token or request is not a well-formed compact JWS.',
    action: 'Send the token exactly as it was issued.',
  },
  ERR_JWT_ALG_NOT_ALLOWED: {
    meaning: 'The token is signed with an algorithm Disco does not accept.',
    action: 'Tokens are EdDSA (device) or ES256/PS256 (clients): use the SDK.',
  },
  ERR_JWT_SIGNATURE_INVALID: {
    meaning: 'The signature does not verify: the token was changed or signed by another key.',
    action: 'Do not use the token; ask again.',
  },
  ERR_JWT_EXPIRED: { meaning: 'The token has expired.', action: 'Ask for a new one.' },
  ERR_JWT_NOT_YET_VALID: {
    meaning: 'The token is not valid yet (clock skew?).',
    action: 'Check the clocks; retry.',
  },
  ERR_JWT_CLAIM_INVALID: {
    meaning: 'A claim of the token (issuer, audience, type, …) is not what it must be.',
    action: 'Use the token for the party and purpose it was issued for.',
  },
  ERR_JWT_REPLAYED: {
    meaning: 'This token was used already.',
    action: 'Ask for a new one; one-time tokens work once.',
  },
  ERR_CERT_MALFORMED: {
    meaning: 'The client certificate cannot be parsed (not DER/PEM, or truncated).',
    action: 'Send the certificate as createClientIdentity made it, base64 DER or PEM.',
  },
  ERR_CERT_EXPIRED: {
    meaning: 'The client certificate has expired.',
    action: 'Make or obtain a new certificate and pair again.',
  },
  ERR_CERT_NOT_YET_VALID: {
    meaning: 'The client certificate is not valid yet.',
    action: 'Check the clocks, or the certificate dates.',
  },
  ERR_CERT_SIGNATURE_INVALID: {
    meaning: "The certificate's signature does not verify.",
    action: 'Use an unaltered certificate.',
  },
  ERR_CERT_UNTRUSTED: {
    meaning: 'The certificate is not the one pinned, or does not chain to a trusted authority.',
    action: 'Use the certificate the device knows you by; a different one means pairing again.',
  },
  ERR_CERT_KEY_USAGE: {
    meaning: 'The certificate is not allowed for client authentication or this key use.',
    action: 'Use a certificate with digitalSignature and extended key usage clientAuth.',
  },
  ERR_CERT_BASIC_CONSTRAINTS: {
    meaning:
      'A CA certificate was presented as a client certificate, or the chain breaks a constraint.',
    action: 'Present an end-entity certificate.',
  },
  ERR_CERT_KEY_UNSUPPORTED: {
    meaning: "The certificate's key type is not supported.",
    action: 'Use a P-256 or RSA (2048 bits or more) key.',
  },
  ERR_REQUEST_MALFORMED: {
    meaning: 'The request body is not a valid Disco request (a claim is missing or malformed).',
    action: 'Use the SDK; the message names the claim.',
  },
  ERR_REQUEST_SIGNATURE: {
    meaning: 'The request is not signed by a key this device accepts for it.',
    action:
      'Sign with the key of the certificate you registered; an unknown company gets this too.',
  },
  ERR_REQUEST_EXPIRED: {
    meaning: 'The request is too old or dated in the future.',
    action: 'Check the clock; the SDK dates each request.',
  },
  ERR_REQUEST_REPLAYED: {
    meaning: 'This request (its id or state) was seen already.',
    action: 'Send a new request; never resend the same bytes.',
  },
  ERR_REQUEST_WRONG_AUDIENCE: {
    meaning: 'The request is addressed to another device or endpoint.',
    action: 'Send it to the device you paired with, on the endpoint it names.',
  },
  ERR_CLIENT_UNKNOWN: {
    meaning: 'This device does not know the company (never registered, or removed by the person).',
    action: 'Pair and register again; the person decides.',
  },
  ERR_CLIENT_SECRET: {
    meaning: 'The client secret is wrong.',
    action: 'Use the secret you registered with.',
  },
  ERR_CLIENT_EXISTS: {
    meaning: 'The company is registered already (for the certificate that asks).',
    action: 'Go on with the other calls.',
  },
  ERR_CLIENT_NOT_TRUSTED: {
    meaning: 'Only a company registered as a partner (is_trusted) may do this.',
    action: 'Exchange key B as the partner it was issued for.',
  },
  ERR_CLIENT_REVOKED: {
    meaning: 'The person removed this company.',
    action: 'Stop; pairing again needs the person.',
  },
  ERR_SCOPE_INVALID: {
    meaning: 'A requested field is unknown or repeated, or the scope is empty.',
    action: 'Ask for known fields (name, email, phone, address, birthdate, …).',
  },
  ERR_SCOPE_EXCEEDS_GRANT: {
    meaning: 'Key B was asked for more than key A allows.',
    action: 'Ask only for fields key A covers, or ask a new key A.',
  },
  ERR_GRANT_REVOKED: {
    meaning: 'The person withdrew this permission (key A), or it ran out.',
    action: 'Ask for key A again; the person decides.',
  },
  ERR_KEY_B_USED: {
    meaning: 'This key B was used already.',
    action: 'Ask the company for a new one.',
  },
  ERR_AUDIENCE_MISMATCH: {
    meaning: 'Key B was issued for another partner.',
    action: 'Only the partner named in key B may exchange it.',
  },
  ERR_CNF_MISMATCH: {
    meaning: 'Key B is bound to another certificate than the one presenting it.',
    action: 'Exchange it with the certificate whose thumbprint the company gave the device.',
  },
  ERR_AUTHORIZATION_PENDING: {
    meaning: 'The person has not answered yet.',
    action: 'Poll again after `interval` seconds (the SDK does).',
  },
  ERR_SLOW_DOWN: {
    meaning: 'Polling too often.',
    action: 'Wait `interval` plus 5 seconds before the next poll (the SDK does).',
  },
  ERR_ACCESS_DENIED: {
    meaning: 'The person refused.',
    action: 'Respect it; tell your user, and do not ask again at once.',
  },
  ERR_CONSENT_EXPIRED: {
    meaning: 'The person did not answer before the request expired.',
    action: 'Ask again when your user is ready.',
  },
  ERR_CONSENT_UNKNOWN: {
    meaning: 'No such request is waiting for this company (answered already, or never filed).',
    action: 'Send a new request.',
  },
  ERR_CONSENT_DECIDED: {
    meaning: 'The request was answered already (a withdraw came too late: the decision stands).',
    action: 'Nothing to do; after a withdraw, poll for the answer if you still want it.',
  },
  ERR_PAIRING_UNKNOWN: {
    meaning: 'The pairing code is unknown or has expired.',
    action: 'Start a new pairing and show the new code.',
  },
  ERR_PAIRING_USED: {
    meaning: 'The pairing code was used already.',
    action: 'Start a new pairing.',
  },
  ERR_CALLBACK_REFUSED: {
    meaning: 'The relay will not call this callback URL (not public https, or not reachable).',
    action: 'Give a public https URL, or long-poll with pairing.wait().',
  },
  ERR_WAIT_TOKEN: {
    meaning: 'The wait token for this pairing is missing or wrong.',
    action: 'Use the wait_token the relay gave with the uid.',
  },
  ERR_RATE_LIMITED: {
    meaning: 'Too many requests from this address or certificate.',
    action: 'Wait for the time the Retry-After header gives.',
  },
  ERR_RELAY_BUSY: {
    meaning: 'The relay is full (no free codes, sockets or capacity).',
    action: retry,
  },
  ERR_RELAY_STORE_UNAVAILABLE: {
    meaning: "The relay's shared store (Redis, in a relay cluster) cannot be reached.",
    action: 'Retry in a few seconds: the relay reconnects by itself.',
  },
  ERR_TRANSPORT_FAILED: {
    meaning: 'The relay or the device could not be reached over the network.',
    action: retry,
  },
  ERR_DEVICE_UNREACHABLE: {
    meaning:
      'The relay could not reach the device (closed, offline, or its network blocks WebRTC).',
    action: 'Ask your user to open Disco on their device; a waiting call retries by itself.',
  },
  ERR_TIMEOUT: {
    meaning: 'No answer before the deadline (timeoutMs, or the device request expired).',
    action: 'Ask again; pass a longer timeoutMs if your user needs more time.',
  },
  ERR_ABORTED: {
    meaning: 'Your AbortSignal ended the call.',
    action: 'Nothing: you asked for it.',
  },
  ERR_RESPONSE_UNTRUSTED: {
    meaning:
      'The answer was not signed by the pinned device, or was malformed: someone in between?',
    action: 'Do not use it; pair again and compare fingerprints with your user.',
  },
  ERR_IC_CBOR_MALFORMED: {
    meaning: 'Bytes from the Internet Computer are not the strict CBOR the interface allows.',
    action: 'Do not use the answer; check the boundary node.',
  },
  ERR_IC_CBOR_LIMIT: {
    meaning: 'CBOR from the Internet Computer exceeds a depth or size limit.',
    action: 'Do not use the answer.',
  },
  ERR_IC_PRINCIPAL_INVALID: {
    meaning: 'A principal is malformed (bad checksum, length or text form).',
    action: 'Check the principal text.',
  },
  ERR_IC_KEY_INVALID: {
    meaning: 'A DER public key does not have the exact form its algorithm requires.',
    action: 'Do not use it.',
  },
  ERR_IC_KEY_UNSUPPORTED: {
    meaning: 'A public key of an algorithm the agent does not support.',
    action: 'Use Ed25519, P-256, secp256k1 or a canister signature key.',
  },
  ERR_IC_SIGNATURE_INVALID: {
    meaning: 'A signature does not verify.',
    action: 'Do not use the message.',
  },
  ERR_IC_TREE_MALFORMED: {
    meaning: 'A hash tree is malformed.',
    action: 'Do not use the certificate.',
  },
  ERR_IC_CERT_MALFORMED: {
    meaning: 'A certificate from the Internet Computer is malformed.',
    action: 'Do not use it.',
  },
  ERR_IC_CERT_SIGNATURE_INVALID: {
    meaning: "The certificate's BLS signature does not verify against the root of trust.",
    action: 'Do not use it; check the configured root key.',
  },
  ERR_IC_CERT_DELEGATION_INVALID: {
    meaning: "The certificate's subnet delegation is invalid.",
    action: 'Do not use it.',
  },
  ERR_IC_CERT_NOT_AUTHORIZED: {
    meaning: 'The delegated subnet is not authorized for this canister.',
    action: 'Do not use it.',
  },
  ERR_IC_CERT_STALE: {
    meaning: "The certificate's time is too old or in the future.",
    action: 'Retry; check the clock.',
  },
  ERR_IC_DELEGATION_MALFORMED: {
    meaning: 'A delegation chain is malformed.',
    action: 'Sign in with Internet Identity again.',
  },
  ERR_IC_DELEGATION_EXPIRED: {
    meaning: 'A delegation in the chain has expired.',
    action: 'Sign in again (renew).',
  },
  ERR_IC_DELEGATION_TOO_LONG: {
    meaning: 'The chain has more than 20 delegations.',
    action: 'Do not use it.',
  },
  ERR_IC_DELEGATION_KEY_REPEATED: {
    meaning: 'A key appears twice in the chain.',
    action: 'Do not use it.',
  },
  ERR_IC_DELEGATION_TARGET: {
    meaning: 'The call is to a canister the delegation does not allow.',
    action: 'Sign in for this canister.',
  },
  ERR_IC_DELEGATION_SIGNER_MISMATCH: {
    meaning: "The chain's last key is not the key that signed.",
    action: 'Do not use it.',
  },
  ERR_IC_CANISTER_SIG_INVALID: {
    meaning: 'A canister signature does not verify.',
    action: 'Do not use it.',
  },
  ERR_IC_REJECTED: {
    meaning: 'The canister or the Internet Computer rejected the call.',
    action: 'Read the reject code and message in the error.',
  },
  ERR_II_MESSAGE_MALFORMED: {
    meaning: "The identity provider sent a sign-in message that is not of the protocol's shape.",
    action: 'Check the identity provider address in the Identity page; sign in again.',
  },
  ERR_II_REFUSED: {
    meaning: 'The identity provider did not sign you in (you refused, or it failed).',
    action: 'Sign in again if you meant to.',
  },
  ERR_II_POPUP_BLOCKED: {
    meaning: "The browser blocked the identity provider's window.",
    action: 'Allow pop-up windows for Disco, then sign in again.',
  },
  ERR_II_POPUP_CLOSED: {
    meaning: "The identity provider's window was closed before sign-in finished.",
    action: 'Sign in again and finish in that window.',
  },
  ERR_II_TIMEOUT: {
    meaning: 'The identity provider did not answer in time.',
    action: 'Check your connection and sign in again.',
  },
  // the Internet Identity principal released with a proof (src/protocol/ic/principal_proof)
  ERR_IC_PROOF_MALFORMED: {
    meaning: 'An Internet Identity principal proof, or its challenge, is malformed.',
    action: 'Pass the value as released, and a challenge of 16 to 128 base64url characters.',
  },
  ERR_IC_PROOF_CHALLENGE: {
    meaning: 'The principal proof was made for another challenge or another company.',
    action: 'Ask again with a fresh challenge; never accept a proof made for another.',
  },
  ERR_IC_PROOF_PRINCIPAL: {
    meaning: 'The principal stated in the proof is not the one its delegation chain proves.',
    action: 'Refuse it: the value was altered.',
  },
  ERR_IC_PROOF_SIGNATURE: {
    meaning: 'The challenge was not signed by the key the delegation chain ends at.',
    action: 'Refuse it: the value was altered or made by another device.',
  },
  ERR_CAP_MALFORMED: {
    meaning: 'A capability request, certificate, invocation or revocation list is malformed.',
    action: 'Send what the capability functions build.',
  },
  ERR_CAP_TOO_LARGE: {
    meaning: 'A capability document is over its size limit.',
    action: 'Ask for fewer resources or send a smaller document.',
  },
  ERR_CAP_NON_CANONICAL: {
    meaning: 'A capability document is not in canonical DAG-CBOR.',
    action: 'Encode with the capability functions.',
  },
  ERR_CAP_UNKNOWN_ALGORITHM: {
    meaning:
      'A capability document is of a version this verifier does not know (the version fixes the signature algorithm).',
    action: 'Update the verifier, or send a version 1 (Ed25519) document.',
  },
  ERR_CAP_GLOB_INVALID: {
    meaning: 'A resource pattern is not a valid glob.',
    action: 'See docs/wire/certificates.md for the grammar.',
  },
  ERR_CAP_ORIGIN_MISMATCH: {
    meaning: "The request's icon or return URL is not on the app's own origin.",
    action: "Serve the icon and the return path from the app's origin.",
  },
  ERR_CAP_SIGNATURE_INVALID: {
    meaning: 'A capability signature does not verify.',
    action: 'Do not use the document.',
  },
  ERR_CAP_EXPIRED: {
    meaning: 'The capability request, certificate or invocation has expired.',
    action: 'Ask again, or sign a new invocation.',
  },
  ERR_CAP_NOT_YET_VALID: {
    meaning:
      'The capability request, certificate, invocation or revocation list is dated in the future.',
    action: 'Check the clocks.',
  },
  ERR_CAP_UNTRUSTED_ISSUER: {
    meaning:
      'The certificate or revocation list is signed by a key this verifier does not trust for it.',
    action: 'Sign in with the device the verifier knows.',
  },
  ERR_CAP_WRONG_SUBJECT: {
    meaning: 'The invoker is not the key the certificate was issued to.',
    action: "Sign with the app's own key.",
  },
  ERR_CAP_PROOF_MISMATCH: {
    meaning:
      'The proofs do not line up: a wrong parent link, an invocation naming other certificates, or a key appearing twice.',
    action: 'Attach exactly the chain the invocation names, in order.',
  },
  ERR_CAP_CHAIN_TOO_LONG: {
    meaning: 'The delegation chain is too long.',
    action: 'Delegate less deeply.',
  },
  ERR_CAP_WIDENED: {
    meaning: 'A delegated certificate grants more than its proof.',
    action: 'A delegation may only narrow.',
  },
  ERR_CAP_RESOURCE_NOT_COVERED: {
    meaning: 'The resource is not covered by the certificate.',
    action: 'Ask the person for a certificate that covers it.',
  },
  ERR_CAP_ACTION_NOT_GRANTED: {
    meaning: 'The action is not granted for this resource.',
    action: 'Ask the person for a certificate with this action.',
  },
  ERR_CAP_AUDIENCE_MISMATCH: {
    meaning: 'The invocation is addressed to another verifier.',
    action: 'Address it to the server you send it to.',
  },
  ERR_CAP_DIGEST_MISMATCH: {
    meaning:
      "A digest does not match what it names: an invocation's digest and the content sent, or a QR code's or link's request hash and the request document it points to (a swapped code).",
    action:
      'Sign exactly the content you send; put the hash of the request document you serve in the code.',
  },
  ERR_CAP_REPLAYED: { meaning: 'This invocation was used already.', action: 'Sign a new one.' },
  ERR_CAP_REVOKED: {
    meaning:
      'The person revoked this certificate, or every certificate of an app in its chain (what that app passed on stops too).',
    action: 'Stop; ask the person again.',
  },
  ERR_CAP_REVOCATIONS_STALE: {
    meaning:
      "The verifier's revocation list is older than the freshness window (300 s), often because the device cannot be reached.",
    action: 'Open Disco on the device so the list can be fetched, then retry.',
  },
  ERR_CAP_REVOCATIONS_ROLLBACK: {
    meaning:
      'A revocation list older than one seen already, or a different list under the same number, was offered.',
    action: 'Ignore it; keep the list already held.',
  },
  ERR_NODETRUST_MALFORMED: {
    meaning: 'A nodetrust request or document is malformed.',
    action: 'Use the nodetrust client.',
  },
  ERR_NODETRUST_PEER_ID_INVALID: {
    meaning: 'The peer id is not a valid libp2p Ed25519 peer id.',
    action: 'Derive it from the identity key.',
  },
  ERR_NODETRUST_NAME_INVALID: {
    meaning: 'The name is not a valid ip4/ip6/p name of the zone.',
    action: 'Ask for names the proofs cover.',
  },
  ERR_NODETRUST_CHALLENGE_UNKNOWN: {
    meaning: 'The proof-of-possession challenge is unknown or expired.',
    action: 'Ask for a new challenge.',
  },
  ERR_NODETRUST_SIGNATURE_INVALID: {
    meaning: 'The signature over the challenge or request does not verify.',
    action: 'Sign with the key of the peer id.',
  },
  ERR_NODETRUST_REQUEST_EXPIRED: {
    meaning: 'The signed request is too old or dated in the future.',
    action: 'Check the clock; sign a new request.',
  },
  ERR_NODETRUST_REQUEST_REPLAYED: {
    meaning: 'This signed request was seen already.',
    action: 'Sign a new one.',
  },
  ERR_NODETRUST_WRONG_AUDIENCE: {
    meaning: 'The request is addressed to another server.',
    action: 'Address it to this server.',
  },
  ERR_NODETRUST_NO_PROOFS: {
    meaning: 'The issue request carries no proofs.',
    action: 'Get proofs from the proof servers first.',
  },
  ERR_NODETRUST_PROOF_INVALID: {
    meaning: 'A proof does not verify.',
    action: 'Get a fresh proof.',
  },
  ERR_NODETRUST_PROOF_EXPIRED: {
    meaning: 'A proof is older than its 5-minute window.',
    action: 'Get a fresh proof.',
  },
  ERR_NODETRUST_PROOF_UNTRUSTED: {
    meaning: 'A proof comes from a proof server the issue server does not know.',
    action: 'Use the proof servers that /nodetrust/issue/info lists.',
  },
  ERR_NODETRUST_PROOF_PEER: {
    meaning: 'A proof names another peer than the one asking.',
    action: 'Present only your own proofs.',
  },
  ERR_NODETRUST_NAME_NOT_COVERED: {
    meaning: 'The CSR asks for a name the proofs do not cover.',
    action: 'Ask only for your own p-name and observed addresses.',
  },
  ERR_NODETRUST_NO_ALGORITHM: {
    meaning: 'No signature algorithm both sides support.',
    action: 'Offer ECDSA P-256.',
  },
  ERR_NODETRUST_CSR_INVALID: {
    meaning: 'The CSR is malformed or its signature does not verify.',
    action: 'Build the CSR with the nodetrust client.',
  },
  ERR_NODETRUST_CSR_KEY: {
    meaning: "The CSR's key type is not one the CA signs.",
    action: 'Use a P-256 key.',
  },
  ERR_NODETRUST_UNAUTHORIZED: {
    meaning: 'The DNS-01 change is not authenticated.',
    action: 'Only the issue server sets challenges.',
  },
  ERR_NODETRUST_BUSY: {
    meaning: 'Too many requests to a nodetrust server.',
    action: 'Wait and retry.',
  },
  ERR_NODETRUST_DNS_FAILED: {
    meaning: 'The nodetrust DNS server could not be updated with the ACME challenge.',
    action: 'Retry later; the operator checks that the DNS server runs and its token is right.',
  },
  ERR_NODETRUST_CA_FAILED: {
    meaning: 'The certificate authority (ACME) refused or failed.',
    action: 'Read the message; retry later.',
  },
  ERR_NODETRUST_NO_PROOF_SERVER: {
    meaning: 'No proof server answered, so there is nothing to prove the name with.',
    action: 'Retry later; the operator checks the proof servers /nodetrust/issue/info lists.',
  },
  // src/protocol/nodetrust/relay_record.ts
  ERR_NODETRUST_RECORD_PEER: {
    meaning: 'The relay discovery record is signed by another relay than the one looked for.',
    action: 'Do not use this relay; check the peer id you were given.',
  },
  ERR_NODETRUST_RECORD_EXPIRED: {
    meaning: 'The relay discovery record is outside its validity window.',
    action: 'Retry later; a running relay republishes its record before it expires.',
  },
  ERR_NODETRUST_RECORD_STALE: {
    meaning: 'A newer record of this relay is already published; an older one cannot replace it.',
    action: 'Publish a freshly signed record.',
  },
  ERR_NODETRUST_RECORD_CERTIFICATE: {
    meaning: 'The relay serves another TLS certificate than the one its signed record pins.',
    action: 'Do not use this relay; look its record up again (it may have just renewed).',
  },
  ERR_DEVICE_CERT_REQUIRED: {
    meaning: 'This company accepts only devices with a device certificate, and this one has none.',
    action: 'Get a device certificate in Settings → "Device certificate", then pair again.',
  },
  ERR_DEVICE_CERT_MALFORMED: {
    meaning:
      'The device certificate sent at pairing is unreadable: no chain, too many or too large certificates, or no signature.',
    action:
      'Update the device app; if it persists, remove the device certificate and get a new one.',
  },
  ERR_DEVICE_CERT_NAME: {
    meaning:
      "The device certificate is not for this device: its name is not the p<peer id> name of the device's identity key, or not in a trusted zone.",
    action: 'Do not trust this device as certified. A device gets a new certificate in Settings.',
  },
  ERR_DEVICE_CERT_SIGNATURE: {
    meaning:
      "The pairing transcript's signature does not verify with the device certificate's key: the certificate was replayed, or the message was changed.",
    action: 'Do not trust this pairing. Pair again; the device signs every pairing afresh.',
  },
  ERR_REQUEST_TIMEOUT: {
    meaning: 'The request body came too slowly; the relay stopped waiting for it.',
    action: 'Send the body at once, or retry on a better connection.',
  },
  ERR_INTERNAL: {
    meaning: 'Something failed inside; details stay on the server.',
    action: 'Retry; report it with the time if it persists.',
  },
};
