// `npm run bench`: figures, not assertions. Each section prints operations per second (or sizes)
// and, where there is a natural baseline, the ratio to it measured in the same run; every figure
// also goes to bench/results.json (bench/results.ts says what is in it).
//
// Sections: storage, identity, envelopes, tokens, engine, size, relay. All run by default; name
// some to run only those, e.g. `npm run bench -- engine size` (or BENCH_SECTIONS=engine,size).
// A run of some sections writes a results.json of those sections only (the file lists them).
import 'fake-indexeddb/auto';
import { resolve } from 'node:path';
import { MemoryStore } from '../src/protocol/storage/memory_store.js';
import { IdbStore } from '../src/browser/idb_store.js';
import type { Store } from '../src/protocol/storage/store.js';
import { createIdentity } from '../src/protocol/identity/create_identity.js';
import { systemRandom } from '../src/protocol/encoding/index.js';
import { PBKDF2_ITERATIONS } from '../src/protocol/identity/passphrase_key.js';
import { open, seal, issue, verify, TOKEN_TYPES } from '../src/protocol/jose/index.js';
import { engineSection } from './engine.js';
import { Results } from './results.js';
import { sizeSection } from './size.js';

const results = new Results();

/** Runs `fn` for at least `minMs` after one warm-up call; prints and records operations per second. */
async function measure(
  key: string,
  name: string,
  fn: () => Promise<unknown>,
  opts: { minMs?: number; baseline?: string } = {},
): Promise<number> {
  await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < (opts.minMs ?? 1000)) {
    await fn();
    n++;
  }
  const perSecond = (n * 1000) / (performance.now() - start);
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
  return results.add(key, name, perSecond, 'ops/s', opts.baseline);
}

async function storageSection(): Promise<void> {
  console.log('Storage (same workload, same process)');
  async function storeBench(key: string, label: string, store: Store, baseline?: string) {
    let i = 0;
    return measure(
      key,
      `${label}: put + get one vault record`,
      async () => {
        const k = `k${i++ % 100}`;
        await store.write([
          {
            op: 'put',
            collection: 'vault',
            key: k,
            value: { kind: 'name', value: 'Ada', updatedAt: i },
          },
        ]);
        await store.get('vault', k);
      },
      baseline === undefined ? {} : { baseline },
    );
  }
  const memory = await storeBench('storage_memory', 'MemoryStore', new MemoryStore());
  const idb = await storeBench(
    'storage_idb',
    'IdbStore (fake-indexeddb)',
    await IdbStore.open('bench'),
    'storage_memory',
  );
  console.log(`  ratio IdbStore / MemoryStore: ${(idb / memory).toFixed(3)}`);
}

async function identitySection(): Promise<void> {
  console.log('\nDevice identity (Ed25519 + X25519 keys, wrapped under the passphrase)');
  const full = await measure(
    'identity_create',
    `createIdentity, PBKDF2 ${PBKDF2_ITERATIONS} iterations`,
    () =>
      createIdentity({
        passphrase: 'benchmark passphrase',
        clock: { now: () => 0 },
        random: systemRandom,
      }),
    { minMs: 3000, baseline: 'identity_keygen' },
  );
  const keysOnly = await measure('identity_keygen', 'key generation alone (baseline)', async () => {
    await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
  });
  console.log(
    `  createIdentity takes ${(keysOnly / full).toFixed(0)}× key generation: the KDF is the cost, on purpose`,
  );
}

async function envelopesSection(): Promise<void> {
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
  const ecdh = await measure(
    'envelope_seal_open_x25519',
    'seal + open, ECDH-ES+A256KW on X25519 (to the device)',
    async () => {
      await open(await seal(payload, x25519.publicKey), x25519.privateKey);
    },
    { baseline: 'envelope_seal_open_rsa' },
  );
  const oaep = await measure(
    'envelope_seal_open_rsa',
    'seal + open, RSA-OAEP-256 2048 (to an RSA client)',
    async () => {
      await open(await seal(payload, rsa.publicKey), rsa.privateKey);
    },
  );
  console.log(
    `  seal + open: X25519 runs at ${(ecdh / oaep).toFixed(2)}× RSA (sealing makes an ephemeral key each time)`,
  );
  const toDevice = await seal(payload, x25519.publicKey);
  const toRsa = await seal(payload, rsa.publicKey);
  const openX = await measure(
    'envelope_open_x25519',
    'open alone, X25519 (what the device pays)',
    () => open(toDevice, x25519.privateKey),
    { baseline: 'envelope_open_rsa' },
  );
  const openR = await measure('envelope_open_rsa', 'open alone, RSA-OAEP-256 2048 (baseline)', () =>
    open(toRsa, rsa.privateKey),
  );
  console.log(
    `  the device opens ${(openX / openR).toFixed(2)}× as many X25519 envelopes as it could RSA ones`,
  );
}

async function tokensSection(): Promise<void> {
  console.log('\nTokens (EdDSA JWT)');
  const payload = new Uint8Array(200).fill(7);
  const ed = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const tokens = await measure(
    'token_issue_verify',
    'issue + verify key A',
    async () => {
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
    },
    { baseline: 'ed25519_sign_verify' },
  );
  const rawSig = await measure(
    'ed25519_sign_verify',
    'raw Ed25519 sign + verify (baseline)',
    async () => {
      const sig = await crypto.subtle.sign('Ed25519', ed.privateKey, payload);
      await crypto.subtle.verify('Ed25519', ed.publicKey, sig, payload);
    },
  );
  console.log(`  JOSE overhead: tokens run at ${(tokens / rawSig).toFixed(2)}× raw signatures`);
}

// The relay tunnel, end to end with a real browser (bench/relay.ts; needs a loopback-only
// network). It says why when it cannot run; its figures come back from its child process.
async function relay(): Promise<string | undefined> {
  const { relaySection } = await import('./relay.js');
  return relaySection(results);
}

/** Each section; one that cannot run returns why. */
const SECTIONS: Record<string, () => Promise<string | undefined | void>> = {
  storage: storageSection,
  identity: identitySection,
  envelopes: envelopesSection,
  tokens: tokensSection,
  engine: () => engineSection(results, measure),
  size: () => Promise.resolve(sizeSection(results)),
  ic: async () => (await import('./ic.js')).icSection(results),
  relay,
  oidc: async () => (await import('./oidc.js')).oidcSection(results),
  lighthouse: async () => (await import('./lighthouse.js')).lighthouseSection(results),
  capability: async () => (await import('./capability.js')).capabilitySection(results, measure),
  cluster: async () => (await import('./cluster.js')).clusterSection(results),
  nodetrust: async () => (await import('./nodetrust.js')).nodetrustSection(results),
};

const asked = [...process.argv.slice(2), ...(process.env.BENCH_SECTIONS ?? '').split(',')].filter(
  Boolean,
);
const unknown = asked.filter((name) => !(name in SECTIONS));
if (unknown.length) {
  console.error(
    `unknown section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
  );
  process.exit(2);
}
const run = asked.length
  ? Object.keys(SECTIONS).filter((name) => asked.includes(name))
  : Object.keys(SECTIONS);
const skipped: Record<string, string> = {};
for (const name of Object.keys(SECTIONS)) {
  if (!run.includes(name)) {
    skipped[name] = 'not asked for in this run';
    continue;
  }
  const why = await SECTIONS[name]!();
  if (typeof why === 'string') skipped[name] = why;
}
const out = resolve(import.meta.dirname, 'results.json');
await results.save(out, { run: run.filter((name) => !(name in skipped)), skipped });
console.log(`\nFigures written to ${out}`);
