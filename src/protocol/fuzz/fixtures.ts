/**
 * Real, valid samples of every format Disco reads from outside, made once per test file with the
 * project's own encoders: the fuzz tests mutate, truncate and grow them. Test-only (not part of
 * the protocol core's API).
 */
import fc from 'fast-check';
import { b64u, systemRandom, utf8 } from '../encoding/index.js';
import { seal } from '../jose/envelope/seal.js';
import { issue } from '../jose/token/issue.js';
import { TOKEN_TYPES } from '../jose/token/token_types.js';
import { setupDevice } from '../identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { exportBackup } from '../backup/export_backup.js';
import { MemoryStore } from '../storage/memory_store.js';
import { makePeerToken } from '../tunnel/peer_token.js';
import { peerIdOf } from '../tunnel/peer_id.js';
import { encodeFrame, messageFrames } from '../tunnel/frames.js';
import { der, makeCert, testKeys } from '../../testing/x509_certs.js';

/**
 * One seed for every property in src/protocol/fuzz: a failure prints its seed and path, and
 * `fc.assert(..., { seed: FUZZ_SEED, path })` replays it exactly.
 */
export const FUZZ_SEED = 0x0d15c0;

export const PASSPHRASE = 'correct horse battery staple';
export const CLOCK_MS = 1_700_000_000_000;

function pem(bytes: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...bytes));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface Samples {
  certificateDer: Uint8Array;
  certificatePem: string;
  /** A JWE sealed to `envelopeKeys.publicKey` (X25519), plaintext `{"hello":"device"}`. */
  jwe: string;
  envelopeKeys: CryptoKeyPair;
  /** A key A token signed by `signingKeys.privateKey`, issuer `device-1`. */
  jws: string;
  signingKeys: CryptoKeyPair;
  peerToken: string;
  peerId: string;
  /** A request of two body chunks and a response with none, as frames. */
  frames: Uint8Array[];
  pairingLink: string;
  /** A real backup of a device with two vault entries, made at PBKDF2_MIN_ITERATIONS. */
  backup: Uint8Array;
  deviceId: string;
  /** That device's identity record, as the backup carries it. */
  identity: unknown;
}

let made: Promise<Samples> | undefined;

/** The samples, made once per test file. */
export function samples(): Promise<Samples> {
  made ??= make();
  return made;
}

async function make(): Promise<Samples> {
  const certKeys = await testKeys('Ed25519');
  const cert = await makeCert({ subject: 'CN=Demo Shop', keys: certKeys });
  const certificateDer = der(cert);

  const envelopeKeys = await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
  const jwe = await seal(utf8.encode('{"hello":"device"}'), envelopeKeys.publicKey);

  const signingKeys = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ]);
  const jws = await issue(
    { iss: 'device-1', sub: 'shop', aud: 'shop', scope: 'key_b', lifetimeSeconds: 600 },
    signingKeys.privateKey,
    { typ: TOKEN_TYPES.keyA, now: () => CLOCK_MS },
  );

  const store = new MemoryStore();
  const { identity, keys } = await setupDevice(store, {
    passphrase: PASSPHRASE,
    clock: { now: () => CLOCK_MS },
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  await store.write([
    {
      op: 'put',
      collection: 'vault',
      key: 'email',
      value: { kind: 'email', value: 'ada@example.org', updatedAt: 1 },
    },
    {
      op: 'put',
      collection: 'vault',
      key: 'address',
      value: {
        kind: 'address',
        value: { street_address: '12 St James Sq', locality: 'London', country: 'UK' },
        updatedAt: 2,
      },
    },
  ]);
  const backup = await exportBackup(store, PASSPHRASE, {
    random: systemRandom,
    now: CLOCK_MS,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  const peerId = peerIdOf(identity.deviceId);
  const peerToken = await makePeerToken(
    keys.signing,
    identity.signingJwk,
    identity.deviceId,
    CLOCK_MS,
  );

  const body = new Uint8Array(70_000).map((_, i) => i & 0xff);
  const frames = [
    ...messageFrames(
      {
        t: 'req',
        id: 7,
        method: 'POST',
        path: '/disco/auth/register',
        headers: { 'content-type': 'application/json' },
      },
      body,
    ),
    ...messageFrames({ t: 'res', id: 7, status: 200, headers: {} }, undefined),
    encodeFrame({ t: 'cancel', id: 7 }),
  ];

  return {
    certificateDer,
    certificatePem: pem(certificateDer),
    jwe,
    envelopeKeys,
    jws,
    signingKeys,
    peerToken,
    peerId,
    frames,
    pairingLink: `web+disco:pair?uid=K7QF-2M4D&x5t=${'A'.repeat(43)}&relay=http://127.0.0.1:8711`,
    backup,
    deviceId: identity.deviceId,
    identity: structuredClone(identity),
  };
}

/** Bytes made from `sample` by the edits an attacker or a broken link makes. */
export function mutatedBytes(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = sample.length;
  return fc.oneof(
    // truncated
    fc.nat({ max: Math.max(0, n - 1) }).map((end) => sample.slice(0, end)),
    // one byte changed
    fc
      .tuple(fc.nat({ max: Math.max(0, n - 1) }), fc.integer({ min: 1, max: 255 }))
      .map(([i, x]) => {
        const out = sample.slice();
        out[i] = out[i]! ^ x;
        return out;
      }),
    // a slice cut out, or spliced with random bytes
    fc
      .tuple(fc.nat({ max: n }), fc.nat({ max: n }), fc.uint8Array({ maxLength: 64 }))
      .map(([a, b, junk]) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        return new Uint8Array([...sample.slice(0, from), ...junk, ...sample.slice(to)]);
      }),
    // trailing bytes
    fc
      .uint8Array({ minLength: 1, maxLength: 32 })
      .map((tail) => new Uint8Array([...sample, ...tail])),
    // no relation to the sample at all
    fc.uint8Array({ maxLength: 2048 }),
  );
}

/** Text made from `sample` the same way (on its UTF-16 code units). */
export function mutatedText(sample: string): fc.Arbitrary<string> {
  const n = sample.length;
  return fc.oneof(
    fc.nat({ max: Math.max(0, n - 1) }).map((end) => sample.slice(0, end)),
    fc
      .tuple(fc.nat({ max: Math.max(0, n - 1) }), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([i, s]) => sample.slice(0, i) + s + sample.slice(i + 1)),
    fc
      .tuple(fc.nat({ max: n }), fc.nat({ max: n }), fc.string({ unit: 'binary', maxLength: 16 }))
      .map(([a, b, junk]) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        return sample.slice(0, from) + junk + sample.slice(to);
      }),
    fc.string({ unit: 'binary', maxLength: 256 }),
    fc.string({ maxLength: 256 }),
  );
}

/** Every path to a member of a JSON-like value, the value itself first. */
function pathsOf(value: unknown, at: readonly (string | number)[] = []): (string | number)[][] {
  const out = [[...at]];
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(...pathsOf(v, [...at, Array.isArray(value) ? Number(k) : k]));
    }
  }
  return out;
}

/** What a member is replaced with: anything, or text that is nearly right (base64url, numbers). */
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308)),
);

/** `sample` with one member replaced by anything, or removed. */
export function mutatedValue(sample: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(sample).filter((p) => p.length > 0);
  if (paths.length === 0) return fc.anything();
  return fc
    .tuple(fc.constantFrom(...paths), fc.option(replacement, { freq: 6 }))
    .map(([path, replacement]) => {
      const out = structuredClone(sample) as Record<string | number, unknown>;
      let parent = out;
      for (const key of path.slice(0, -1)) parent = parent[key] as typeof parent;
      const last = path[path.length - 1]!;
      if (replacement === null) delete parent[last];
      else parent[last] = replacement;
      return out;
    });
}

const b64uJson = (v: unknown) => b64u.encode(utf8.encode(JSON.stringify(v) ?? 'null'));
const fromB64uJson = (part: string): unknown => JSON.parse(utf8.decode(b64u.decode(part)));
const b64uText = fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/);

/**
 * A compact JWS or JWE (`sample`) with its protected header — and for a JWS its payload — decoded,
 * changed member by member, and encoded again, other parts kept or replaced: what a forger sends,
 * well-formed base64url around hostile JSON.
 */
export function mutatedCompact(sample: string): fc.Arbitrary<string> {
  const parts = sample.split('.');
  const header = fromB64uJson(parts[0]!);
  const payload = parts.length === 3 ? fromB64uJson(parts[1]!) : undefined;
  return fc
    .tuple(
      fc.oneof(mutatedValue(header), fc.constant(header)),
      payload === undefined
        ? fc.constant(undefined)
        : fc.oneof(mutatedValue(payload), fc.constant(payload)),
      fc.array(fc.option(b64uText), { minLength: parts.length, maxLength: parts.length }),
    )
    .map(([h, p, replacements]) => {
      const out = parts.map((part, i) => replacements[i] ?? part);
      out[0] = b64uJson(h);
      if (p !== undefined) out[1] = b64uJson(p);
      return out.join('.');
    });
}

/** A JSON file (`sample`, UTF-8) with one member changed or removed, encoded again. */
export function mutatedJsonFile(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  const value: unknown = JSON.parse(utf8.decode(sample));
  return mutatedValue(value).map((v) => utf8.encode(JSON.stringify(v) ?? ''));
}
