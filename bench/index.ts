// `npm run bench`: figures, not assertions. Each section prints operations per second and, where
// there is a natural baseline, the ratio to it measured in the same run.
import 'fake-indexeddb/auto';
import { MemoryStore } from '../src/protocol/storage/memory_store.js';
import { IdbStore } from '../src/browser/idb_store.js';
import type { Store } from '../src/protocol/storage/store.js';
import { createIdentity } from '../src/protocol/identity/create_identity.js';
import { systemRandom } from '../src/protocol/encoding/index.js';
import { PBKDF2_ITERATIONS } from '../src/protocol/identity/passphrase_key.js';
import { open, seal, issue, verify, TOKEN_TYPES } from '../src/protocol/jose/index.js';
import { makeDevice } from '../src/testing/engine_harness.js';
import { createClientIdentity, sealRequest } from '../src/sdk/index.js';
import { b64u } from '../src/protocol/encoding/index.js';
import { handleRequest } from '../src/protocol/engine/index.js';
import { createCertificateCache, type CertificateCache } from '../src/protocol/x509/index.js';

async function measure(name: string, fn: () => Promise<unknown>, minMs = 1000): Promise<number> {
  await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await fn();
    n++;
  }
  const perSecond = (n * 1000) / (performance.now() - start);
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
  return perSecond;
}

async function storeBench(label: string, store: Store): Promise<number> {
  let i = 0;
  return measure(`${label}: put + get one vault record`, async () => {
    const key = `k${i++ % 100}`;
    await store.write([
      { op: 'put', collection: 'vault', key, value: { kind: 'name', value: 'Ada', updatedAt: i } },
    ]);
    await store.get('vault', key);
  });
}

console.log('Storage (same workload, same process)');
const memory = await storeBench('MemoryStore', new MemoryStore());
const idb = await storeBench('IdbStore (fake-indexeddb)', await IdbStore.open('bench'));
console.log(`  ratio IdbStore / MemoryStore: ${(idb / memory).toFixed(3)}`);

console.log('\nDevice identity (Ed25519 + X25519 keys, wrapped under the passphrase)');
const full = await measure(
  `createIdentity, PBKDF2 ${PBKDF2_ITERATIONS} iterations`,
  () =>
    createIdentity({
      passphrase: 'benchmark passphrase',
      clock: { now: () => 0 },
      random: systemRandom,
    }),
  3000,
);
const keysOnly = await measure('key generation alone (baseline)', async () => {
  await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
});
console.log(
  `  createIdentity takes ${(keysOnly / full).toFixed(0)}× key generation: the KDF is the cost, on purpose`,
);

console.log('\nEnvelopes (JWE, A256GCM, 200-byte payload)');
const payload = new Uint8Array(200).fill(7);
const x25519 = await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
const rsa = await crypto.subtle.generateKey(
  {
    name: 'RSA-OAEP',
    hash: 'SHA-256',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  },
  false,
  ['encrypt', 'decrypt'],
);
const ecdh = await measure('seal + open, ECDH-ES+A256KW on X25519 (to the device)', async () => {
  await open(await seal(payload, x25519.publicKey), x25519.privateKey);
});
const oaep = await measure('seal + open, RSA-OAEP-256 2048 (to an RSA client)', async () => {
  await open(await seal(payload, rsa.publicKey), rsa.privateKey);
});
console.log(
  `  seal + open: X25519 runs at ${(ecdh / oaep).toFixed(2)}× RSA (sealing makes an ephemeral key each time)`,
);
const toDevice = await seal(payload, x25519.publicKey);
const toRsa = await seal(payload, rsa.publicKey);
const openX = await measure('open alone, X25519 (what the device pays)', () =>
  open(toDevice, x25519.privateKey),
);
const openR = await measure('open alone, RSA-OAEP-256 2048 (baseline)', () =>
  open(toRsa, rsa.privateKey),
);
console.log(
  `  the device opens ${(openX / openR).toFixed(2)}× as many X25519 envelopes as it could RSA ones`,
);

console.log('\nTokens (EdDSA JWT)');
const ed = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
const tokens = await measure('issue + verify key A', async () => {
  const t = await issue(
    { iss: 'device', sub: 'shop', aud: 'device', scope: 'address', lifetimeSeconds: 600 },
    ed.privateKey,
    { typ: TOKEN_TYPES.keyA, now: Date.now },
  );
  await verify(t, ed.publicKey, {
    now: Date.now,
    issuer: 'device',
    audience: 'device',
    typ: TOKEN_TYPES.keyA,
  });
});
const rawSig = await measure('raw Ed25519 sign + verify (baseline)', async () => {
  const sig = await crypto.subtle.sign('Ed25519', ed.privateKey, payload);
  await crypto.subtle.verify('Ed25519', ed.publicKey, sig, payload);
});
console.log(`  JOSE overhead: tokens run at ${(tokens / rawSig).toFixed(2)}× raw signatures`);

console.log(
  '\nA whole authorize request through the engine (MemoryStore; rule-approved, so no waiting)',
);
const d = await makeDevice();
const me = await createClientIdentity({ name: 'Bench Shop', clock: d.clock });
const shop = await d.client('Bench Shop', { identity: me });
await shop.register();
d.person.answer = 'remember';
await shop.requestKeyA(['address']);
const authorize = await measure(
  'sealed, signed request → key A (engine + SDK, warm cache)',
  async () => {
    await shop.requestKeyA(['address']);
  },
);
const claims = () => {
  const now = Math.floor(d.clock.now() / 1000);
  return {
    iss: 'bench-shop',
    aud: d.device.deviceId,
    iat: now,
    exp: now + 60,
    htu: '/disco/auth/authorize',
    jti: b64u.encode(systemRandom(16)),
    state: b64u.encode(systemRandom(16)),
    client_secret: 'secret-of-Bench Shop-'.padEnd(40, 'x'),
    scope: 'key_b address',
  };
};
/** Requests sealed before the clock starts (each has its own jti and state). */
const sealed = async (n: number) => {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++)
    out.push(new TextEncoder().encode(await sealRequest(claims(), me, d.device)));
  return out;
};
/**
 * The engine alone (requests sealed beforehand), `certificates` giving each request its
 * certificate cache; five untimed requests first, as `measure` warms up.
 */
async function engineAlone(name: string, certificates: () => CertificateCache): Promise<number> {
  const run = async (body: Uint8Array) => {
    const res = await handleRequest(
      { method: 'POST', path: '/disco/auth/authorize', headers: {}, body },
      { ...d.deps, certificates: certificates() },
    );
    if (res.status !== 200) throw new Error(`bench request failed: ${res.body}`);
  };
  for (const body of await sealed(5)) await run(body);
  const bodies = await sealed(250);
  const start = performance.now();
  for (const body of bodies) await run(body);
  const perSecond = (bodies.length * 1000) / (performance.now() - start);
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
  return perSecond;
}
const nothingKept = await engineAlone('engine alone, no certificate kept (baseline)', () =>
  createCertificateCache({ maxBytes: 1 }),
);
const cold = await engineAlone('engine alone, cold cache (a new one each time)', () =>
  createCertificateCache(),
);
const warmCache = createCertificateCache();
const warm = await engineAlone('engine alone, warm cache', () => warmCache);
const ms = (perSecond: number) => `${(1000 / perSecond).toFixed(2)} ms`;
console.log(
  `  per request: ${ms(nothingKept)} parsing the certificate twice (request, then sealed answer), ` +
    `${ms(cold)} once, ${ms(warm)} never; warm runs at ${(warm / nothingKept).toFixed(2)}× the baseline`,
);
console.log(
  `  the client side adds ${((warm / authorize - 1) * 100).toFixed(0)} % to a round trip`,
);

// The relay tunnel, end to end with a real browser (bench/relay.ts; needs a loopback-only network).
const { relaySection } = await import('./relay.js');
await relaySection();
