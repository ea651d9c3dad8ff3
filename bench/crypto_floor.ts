// The engine's crypto floor: what one rule-approved key A request costs in cryptography alone,
// every key imported once, next to which bench/index.ts measures the engine (issue #13: "the
// engine near its crypto floor").
import { compactVerify, SignJWT } from 'jose';
import { utf8 } from '../src/protocol/encoding/index.js';
import { open, seal, issue, TOKEN_TYPES } from '../src/protocol/jose/index.js';
import { loadDevice } from '../src/protocol/identity/index.js';
import { sha256b64u } from '../src/protocol/auth/sha256.js';
import { importCertificateKey, parseCertificate } from '../src/protocol/x509/index.js';
import type { makeDevice } from '../src/testing/engine_harness.js';
import type { ClientIdentity } from '../src/sdk/index.js';

/**
 * Prepares what the engine does for one sealed request, with the same libraries, as a function
 * (docs/wire/engine.md, authorize): open the envelope (ECDH-ES+A256KW on the device's X25519
 * key), verify the client's signature (ES256 with its certificate key), hash the client secret
 * and the state (SHA-256), issue key A (EdDSA), sign the answer (EdDSA) and seal it to the
 * client's certificate key (ECDH-ES+A256KW on P-256). Nothing else: no parsing beyond what
 * these calls do, no certificate checks, no storage; every key is imported here, once.
 */
export async function cryptoFloor(
  d: Awaited<ReturnType<typeof makeDevice>>,
  me: ClientIdentity,
): Promise<(body: Uint8Array) => Promise<void>> {
  const device = await loadDevice(d.store);
  if (!device) throw new Error('bench: the device has no identity');
  const { keys, identity } = device;
  const cert = await parseCertificate(me.certificatePem);
  const verifyKey = await importCertificateKey(cert, 'verify');
  const sealKey = await importCertificateKey(cert, 'encrypt');
  return async (body) => {
    const { plaintext } = await open(utf8.decode(body), keys.envelope);
    const { payload } = await compactVerify(utf8.decode(plaintext), verifyKey, {
      algorithms: ['ES256'],
    });
    const claims = JSON.parse(utf8.decode(payload)) as { client_secret: string; state: string };
    await sha256b64u(claims.client_secret);
    await sha256b64u(JSON.stringify(['bench-shop', claims.state]));
    const keyA = await issue(
      {
        iss: identity.deviceId,
        sub: 'bench-shop',
        aud: identity.deviceId,
        scope: ['address'],
        lifetimeSeconds: 600,
      },
      keys.signing,
      { typ: TOKEN_TYPES.keyA, now: () => d.clock.now() },
    );
    const answer = await new SignJWT({ key_a: keyA })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'disco-response+jwt' })
      .setIssuedAt()
      .sign(keys.signing);
    await seal(utf8.encode(answer), sealKey, { contentType: 'JWT' });
  };
}
