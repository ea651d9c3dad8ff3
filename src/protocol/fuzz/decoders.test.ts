/**
 * Issue #11, "Fuzz every trust boundary": every decoder of bytes, text or values that come from
 * outside the device, walked as one table. Each must answer a value or throw a DiscoError with a
 * stable code: never another exception, never a hang, and sizes are refused before decoding.
 * Property runs are seeded (FUZZ_SEED) and counted, so a failure replays exactly.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiscoError, type ErrorCode } from '../errors/index.js';
import { b64u, utf8 } from '../encoding/index.js';
import { decodePemCertificates, MAX_PEM_CHARS } from '../x509/lib/pem.js';
import { checkCertificateOutline, MAX_CERTIFICATE_BYTES } from '../x509/lib/der.js';
import { createCertificateCache, parseCertificate, parseCertificateChain } from '../x509/index.js';
import { splitCompact } from '../jose/lib/compact.js';
import { parseEnvelope } from '../jose/envelope/parse_envelope.js';
import { parseJws } from '../jose/token/parse_jws.js';
import { open, openJson, verify, verifyJws, ENVELOPE_ALLOW_LIST } from '../jose/index.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_MAX_TOKEN_BYTES, TOKEN_TYPES } from '../jose/index.js';
import { decodeFrame } from '../tunnel/frames.js';
import { verifyPeerToken } from '../tunnel/peer_token.js';
import { fetchIceConfig, MAX_ICE_CONFIG_BYTES, parseIceConfig } from '../tunnel/ice_config.js';
import { peerIdOf } from '../tunnel/peer_id.js';
import { TUNNEL_MAX_FRAME_BYTES } from '../tunnel/types.js';
import { normaliseUid, parsePairingCode, MAX_PAIRING_CODE_CHARS } from '../pairing/pairing.js';
import { checkRelayUrl, MAX_RELAY_URL_CHARS } from '../pairing/relay_url.js';
import { openBackup } from '../backup/open_backup.js';
import { restoreBackup } from '../backup/restore_backup.js';
import { checkBackupRecord } from '../backup/collections.js';
import { BACKUP_MAX_BYTES } from '../backup/format.js';
import { ENGINE_BACKED_UP } from '../auth/check_records.js';
import { parseIdentityRecord } from '../identity/parse_identity.js';
import { fingerprintOf } from '../identity/device_id.js';
import { assertEntry } from '../vault/validate_entry.js';
import { parseScope } from '../scope/parse_scope.js';
import { MemoryStore } from '../storage/memory_store.js';
import { decodeCanonical } from '../certificates/cbor.js';
import { CAPABILITY_LIMITS } from '../certificates/limits.js';
import { parseRequest as parseCapabilityRequest } from '../certificates/parse_request.js';
import { parseCertificate as parseCapabilityCertificate } from '../certificates/parse_certificate.js';
import { parseInvocation } from '../certificates/parse_invocation.js';
import { parseRevocationList } from '../certificates/parse_revocation_list.js';
import { parseRequestLink, requestLink } from '../certificates/request_origin.js';
import { parseProtocolLink, protocolLinkFromQuery } from '../certificates/protocol_link.js';
import { checkPublishedList, listOfBody } from '../certificates/revocation_cache.js';
import {
  decodeCbor,
  DelegationChain,
  parseCanisterSignaturePublicKey,
  parseCertificate as parseIcCertificate,
  parseHashTree,
  parsePublicKey,
  Principal,
} from '../ic/index.js';
import {
  CLOCK_MS,
  FUZZ_SEED,
  mutatedBytes,
  mutatedCompact,
  mutatedJsonFile,
  mutatedText,
  mutatedValue,
  PASSPHRASE,
  samples,
  type Samples,
} from './fixtures.js';

/** A `/ice-servers` answer as the relay gives it (docs/wire/relay.md). */
const iceSample = () => ({
  ice_servers: [
    { urls: ['stun:relay.example:3478'] },
    { urls: ['turn:relay.example:3478?transport=udp'], username: 'u', credential: 'c' },
  ],
  ice_transport_policy: 'relay',
  expires_at: CLOCK_MS / 1000 + 3600,
});

/** Generated inputs per decoder (on top of the shared hostile set). */
const RUNS = 300;
/** A decoder that has not answered in this long counts as hung (the slowest, a restore, takes ~50 ms). */
const HANG_MS = 5_000;

type Sample<T> = (s: Samples) => T;
type Oversize<T> = { make: () => T; code: ErrorCode };
type Decoder =
  | {
      name: string;
      kind: 'text';
      decode: (input: string, s: Samples) => unknown;
      sample?: Sample<string>;
      oversize?: Oversize<string>;
      /** Well-formed outer layers around hostile content (JOSE headers and claims). */
      structured?: (s: Samples) => fc.Arbitrary<string>;
      /** The empty text is a valid encoding of nothing (base64url of zero bytes). */
      emptyIsValid?: true;
    }
  | {
      name: string;
      kind: 'bytes';
      decode: (input: Uint8Array, s: Samples) => unknown;
      sample?: Sample<Uint8Array>;
      oversize?: Oversize<Uint8Array>;
      /** Well-formed outer layers around hostile content (a backup's JSON members). */
      structured?: (s: Samples) => fc.Arbitrary<Uint8Array>;
      /** The empty bytes are a valid encoding of nothing (UTF-8 of the empty text). */
      emptyIsValid?: true;
    }
  | {
      name: string;
      kind: 'value';
      decode: (input: unknown, s: Samples) => unknown;
      sample?: Sample<unknown>;
    };

/**
 * Every function in src/protocol that decodes what another party sent (found by grepping for
 * decode / parse / from / open / verify / read / normalise / check…): name → function. A new
 * decoder of outside input belongs here. Not listed: the engine's request readers
 * (`readClientRequest` and the endpoint bodies), fuzzed whole through `handleRequest` in
 * src/protocol/engine/fuzz.test.ts, and src/protocol/nodetrust (fuzzed with its servers).
 */
const DECODERS: readonly Decoder[] = [
  // encoding
  {
    name: 'encoding b64u.decode',
    kind: 'text',
    decode: (t) => b64u.decode(t),
    sample: (s) => s.deviceId,
    emptyIsValid: true,
  },
  {
    name: 'encoding utf8.decode',
    kind: 'bytes',
    decode: (b) => utf8.decode(b),
    sample: (s) => s.backup,
    emptyIsValid: true,
  },
  // x509 (client certificates)
  {
    name: 'x509 decodePemCertificates',
    kind: 'text',
    decode: (t) => decodePemCertificates(t, 1, MAX_PEM_CHARS),
    sample: (s) => s.certificatePem,
    oversize: { make: () => ' '.repeat(MAX_PEM_CHARS + 1), code: 'ERR_CERT_MALFORMED' },
  },
  {
    name: 'x509 checkCertificateOutline',
    kind: 'bytes',
    decode: (b) => checkCertificateOutline(b),
    sample: (s) => s.certificateDer,
    oversize: { make: () => new Uint8Array(MAX_CERTIFICATE_BYTES + 1), code: 'ERR_CERT_MALFORMED' },
  },
  {
    name: 'x509 parseCertificate (PEM)',
    kind: 'text',
    decode: (t) => parseCertificate(t),
    sample: (s) => s.certificatePem,
    oversize: { make: () => ' '.repeat(MAX_PEM_CHARS + 1), code: 'ERR_CERT_MALFORMED' },
  },
  {
    name: 'x509 parseCertificate (DER)',
    kind: 'bytes',
    decode: (b) => parseCertificate(b),
    sample: (s) => s.certificateDer,
    oversize: { make: () => new Uint8Array(MAX_CERTIFICATE_BYTES + 1), code: 'ERR_CERT_MALFORMED' },
  },
  {
    name: 'x509 parseCertificateChain',
    kind: 'text',
    decode: (t) => parseCertificateChain(t),
    sample: (s) => s.certificatePem + s.certificatePem,
    oversize: { make: () => ' '.repeat(MAX_PEM_CHARS * 10 + 1), code: 'ERR_CERT_MALFORMED' },
  },
  {
    name: 'x509 CertificateCache.parse',
    kind: 'bytes',
    decode: (b) => createCertificateCache().parse(b),
    sample: (s) => s.certificateDer,
  },
  // jose (envelopes and tokens)
  {
    name: 'jose splitCompact',
    kind: 'text',
    decode: (t) => splitCompact(t, 3, DEFAULT_MAX_TOKEN_BYTES, 'ERR_JWT_MALFORMED'),
    sample: (s) => s.jws,
    structured: (s) => mutatedCompact(s.jws),
    oversize: {
      make: () => 'a.b.c'.padEnd(DEFAULT_MAX_TOKEN_BYTES + 1, 'A'),
      code: 'ERR_TOO_LARGE',
    },
  },
  {
    name: 'jose parseEnvelope',
    kind: 'text',
    decode: (t) => parseEnvelope(t, ENVELOPE_ALLOW_LIST, DEFAULT_MAX_ENVELOPE_BYTES),
    sample: (s) => s.jwe,
    structured: (s) => mutatedCompact(s.jwe),
  },
  {
    name: 'jose open',
    kind: 'text',
    decode: (t, s) => open(t, s.envelopeKeys.privateKey),
    sample: (s) => s.jwe,
    structured: (s) => mutatedCompact(s.jwe),
    oversize: { make: () => 'A'.repeat(DEFAULT_MAX_ENVELOPE_BYTES + 1), code: 'ERR_TOO_LARGE' },
  },
  {
    name: 'jose openJson',
    kind: 'text',
    decode: (t, s) => openJson(t, s.envelopeKeys.privateKey),
    sample: (s) => s.jwe,
    structured: (s) => mutatedCompact(s.jwe),
  },
  {
    name: 'jose parseJws',
    kind: 'text',
    decode: (t) => parseJws(t, DEFAULT_MAX_TOKEN_BYTES),
    sample: (s) => s.jws,
    structured: (s) => mutatedCompact(s.jws),
  },
  {
    name: 'jose verifyJws',
    kind: 'text',
    decode: (t, s) => verifyJws(t, s.signingKeys.publicKey),
    sample: (s) => s.jws,
    structured: (s) => mutatedCompact(s.jws),
    oversize: { make: () => 'A'.repeat(DEFAULT_MAX_TOKEN_BYTES + 1), code: 'ERR_TOO_LARGE' },
  },
  {
    name: 'jose verify',
    kind: 'text',
    decode: (t, s) =>
      verify(t, s.signingKeys.publicKey, {
        now: () => CLOCK_MS,
        issuer: 'device-1',
        typ: TOKEN_TYPES.keyA,
      }),
    sample: (s) => s.jws,
    structured: (s) => mutatedCompact(s.jws),
    oversize: { make: () => 'A'.repeat(DEFAULT_MAX_TOKEN_BYTES + 1), code: 'ERR_TOO_LARGE' },
  },
  // tunnel
  {
    name: 'tunnel decodeFrame',
    kind: 'bytes',
    decode: (b) => decodeFrame(b),
    sample: (s) => s.frames[0]!,
    oversize: { make: () => new Uint8Array(TUNNEL_MAX_FRAME_BYTES + 1), code: 'ERR_TOO_LARGE' },
  },
  {
    name: 'tunnel verifyPeerToken',
    kind: 'text',
    decode: (t, s) => verifyPeerToken(t, s.peerId, CLOCK_MS),
    sample: (s) => s.peerToken,
    structured: (s) => mutatedCompact(s.peerToken),
    oversize: { make: () => 'A'.repeat(2049), code: 'ERR_REQUEST_SIGNATURE' },
  },
  { name: 'tunnel peerIdOf', kind: 'text', decode: (t) => peerIdOf(t), sample: (s) => s.deviceId },
  {
    name: "tunnel fetchIceConfig (the relay's answer)",
    kind: 'text',
    decode: (t) =>
      fetchIceConfig(
        'https://relay.example',
        () => Promise.resolve(new Response(t)),
        () => CLOCK_MS,
      ),
    sample: () => JSON.stringify(iceSample()),
    oversize: { make: () => ' '.repeat(MAX_ICE_CONFIG_BYTES + 1), code: 'ERR_TRANSPORT_FAILED' },
  },
  {
    name: 'tunnel parseIceConfig',
    kind: 'value',
    decode: (v) => parseIceConfig(v, CLOCK_MS),
    sample: () => iceSample(),
  },
  // pairing (what a person types or scans)
  {
    name: 'pairing normaliseUid',
    kind: 'text',
    decode: (t) => normaliseUid(t),
    sample: () => 'K7QF-2M4D',
    oversize: { make: () => ' '.repeat(MAX_PAIRING_CODE_CHARS + 1), code: 'ERR_TOO_LARGE' },
  },
  {
    name: 'pairing parsePairingCode',
    kind: 'text',
    decode: (t) => parsePairingCode(t),
    sample: (s) => s.pairingLink,
    oversize: {
      make: () => `web+disco:pair?uid=K7QF-2M4D&x=${'a'.repeat(MAX_PAIRING_CODE_CHARS)}`,
      code: 'ERR_TOO_LARGE',
    },
  },
  {
    name: 'pairing checkRelayUrl',
    kind: 'text',
    decode: (t) => checkRelayUrl(t),
    sample: () => 'https://relay.example:8443/',
    oversize: {
      make: () => `https://${'a'.repeat(MAX_RELAY_URL_CHARS)}.example/`,
      code: 'ERR_TOO_LARGE',
    },
  },
  // backup files
  {
    name: 'backup openBackup',
    kind: 'bytes',
    decode: (b) => openBackup(b, PASSPHRASE),
    sample: (s) => s.backup,
    structured: (s) => mutatedJsonFile(s.backup),
    oversize: { make: () => new Uint8Array(BACKUP_MAX_BYTES + 1), code: 'ERR_TOO_LARGE' },
  },
  {
    name: 'backup restoreBackup',
    kind: 'bytes',
    decode: (b) => restoreBackup(new MemoryStore(), b, PASSPHRASE, { now: CLOCK_MS }),
    sample: (s) => s.backup,
    structured: (s) => mutatedJsonFile(s.backup),
  },
  ...['vault', 'identity', 'mystery', ...ENGINE_BACKED_UP].map((collection): Decoder => ({
    name: `backup checkBackupRecord (${collection})`,
    kind: 'value',
    decode: (v) => checkBackupRecord(collection, 'k', v, CLOCK_MS),
  })),
  // identity and vault
  {
    name: 'identity parseIdentityRecord',
    kind: 'value',
    decode: (v) => parseIdentityRecord(v),
    sample: (s) => s.identity,
  },
  {
    name: 'identity fingerprintOf',
    kind: 'text',
    decode: (t) => fingerprintOf(t),
    sample: (s) => s.deviceId,
  },
  {
    name: 'vault assertEntry',
    kind: 'value',
    decode: (v) => assertEntry(v, { now: CLOCK_MS }),
    sample: () => ({
      kind: 'address',
      value: { street_address: '1 Main St', locality: 'Springfield', country: 'US' },
    }),
  },
  // scopes in tokens and requests
  {
    name: 'scope parseScope',
    kind: 'text',
    decode: (t) => parseScope(t),
    sample: () => 'key_b address',
    oversize: { make: () => 'a'.repeat(32 * 65 + 1), code: 'ERR_SCOPE_INVALID' },
  },
  // capability certificates (QR codes and links from apps, docs/wire/certificates.md)
  {
    name: 'capability parseRequestLink',
    kind: 'text',
    decode: (t) => parseRequestLink(t),
    sample: () =>
      requestLink('web+disco:capability', {
        kind: 'uri',
        uri: 'https://app.example/r',
        hash: new Uint8Array(32),
      }),
    oversize: { make: () => `?request=${'A'.repeat(8192)}`, code: 'ERR_CAP_MALFORMED' },
  },
  // web+disco: links launched by any page (the manifest's protocol handler)
  {
    name: 'capability parseProtocolLink',
    kind: 'text',
    decode: (t) => parseProtocolLink(t),
    sample: () =>
      `web+disco:capability?request_uri=https%3A%2F%2Fa.example%2Fr&request_hash=${'A'.repeat(43)}`,
    oversize: {
      make: () => `web+disco:capability?request=${'A'.repeat(8192)}`,
      code: 'ERR_CAP_MALFORMED',
    },
  },
  {
    name: 'capability protocolLinkFromQuery',
    kind: 'text',
    decode: (t) => protocolLinkFromQuery(t),
    sample: () =>
      `?disco_link=${encodeURIComponent(`web+disco:capability?request=${'A'.repeat(40)}`)}`,
    oversize: { make: () => `?disco_link=${'A'.repeat(30_000)}`, code: 'ERR_CAP_MALFORMED' },
  },
  // lists published to the relay's cache (PUT /capability/revocations/<peer id>)
  {
    name: 'capability listOfBody + checkPublishedList',
    kind: 'bytes',
    decode: async (b) => {
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(b));
      } catch {
        body = b; // not JSON: the cache reads the bytes as no body at all
      }
      return checkPublishedList(listOfBody(body), `disco-${'0'.repeat(32)}`, { now: CLOCK_MS });
    },
    oversize: {
      make: () => new TextEncoder().encode(JSON.stringify({ list: 'A'.repeat(60_000) })),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  {
    name: 'capability decodeCanonical',
    kind: 'bytes',
    decode: (b) => decodeCanonical(b, CAPABILITY_LIMITS.maxRequestBytes),
    oversize: {
      make: () => new Uint8Array(CAPABILITY_LIMITS.maxRequestBytes + 1),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  {
    name: 'capability parseRequest',
    kind: 'bytes',
    decode: (b) => parseCapabilityRequest(b, { now: CLOCK_MS }),
    oversize: {
      make: () => new Uint8Array(CAPABILITY_LIMITS.maxRequestBytes + 1),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  {
    name: 'capability parseCertificate',
    kind: 'bytes',
    decode: (b) => parseCapabilityCertificate(b),
    oversize: {
      make: () => new Uint8Array(CAPABILITY_LIMITS.maxCertificateBytes + 1),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  {
    name: 'capability parseInvocation',
    kind: 'bytes',
    decode: (b) => parseInvocation(b),
    oversize: {
      make: () => new Uint8Array(CAPABILITY_LIMITS.maxInvocationBytes + 1),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  {
    name: 'capability parseRevocationList',
    kind: 'bytes',
    decode: (b) => parseRevocationList(b, { now: CLOCK_MS }),
    oversize: {
      make: () => new Uint8Array(CAPABILITY_LIMITS.maxRevocationListBytes + 1),
      code: 'ERR_CAP_TOO_LARGE',
    },
  },
  // Internet Computer agent (src/protocol/ic)
  { name: 'ic decodeCbor', kind: 'bytes', decode: (b) => decodeCbor(b) },
  { name: 'ic parseCertificate', kind: 'bytes', decode: (b) => parseIcCertificate(b) },
  { name: 'ic parseHashTree', kind: 'value', decode: (v) => parseHashTree(v as never) },
  { name: 'ic parsePublicKey', kind: 'bytes', decode: (b) => parsePublicKey(b) },
  {
    name: 'ic parseCanisterSignaturePublicKey',
    kind: 'bytes',
    decode: (b) => parseCanisterSignaturePublicKey(b),
  },
  { name: 'ic Principal.fromText', kind: 'text', decode: (t) => Principal.fromText(t) },
  { name: 'ic DelegationChain.fromJSON', kind: 'text', decode: (t) => DelegationChain.fromJSON(t) },
];

/** Text no decoder accepts: empty, control characters, lone surrogates, broken structure, 2 MiB. */
const HOSTILE_TEXT: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\r\n\t',
  '"',
  '%zz',
  '{"a":',
  '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----',
  '['.repeat(10_000),
  '\u0000'.repeat(2 * 1024 * 1024),
];
/** Bytes no decoder accepts: empty, ill-formed UTF-8, CBOR breaks and nests, 2 MiB of 0xff. */
const HOSTILE_BYTES: readonly Uint8Array[] = [
  new Uint8Array(0),
  new Uint8Array([0xff]),
  new Uint8Array([0xc0, 0x80]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0xe2, 0x82]),
  new Uint8Array(10_000).fill(0x81), // CBOR arrays nested 10,000 deep
  new Uint8Array([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // CBOR array of 2^64-1
  new Uint8Array(2 * 1024 * 1024).fill(0xff),
];
/** Values a JSON or CBOR decoder can hand over that no checker accepts. */
const HOSTILE_VALUES: readonly unknown[] = [
  undefined,
  null,
  0,
  -1,
  NaN,
  true,
  '',
  [],
  [[[]]],
  {},
  JSON.parse('{"__proto__":{"kind":"email","value":"a@b.co"}}'),
  { constructor: 'x', toString: 1 },
  new Array(100_000).fill(null),
  '\u0000'.repeat(2 * 1024 * 1024),
];

type Outcome = 'ok' | 'hang' | { code: ErrorCode } | { foreign: string };

/** Runs one decoder call to its end: its value, its DiscoError code, a foreign error, or a hang. */
async function outcome(run: () => unknown): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), HANG_MS);
  });
  const settled = (async (): Promise<Outcome> => {
    try {
      await run();
      return 'ok';
    } catch (err) {
      return isDiscoError(err) ? { code: err.code } : { foreign: String(err) };
    }
  })();
  try {
    return await Promise.race([settled, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function call(d: Decoder, input: unknown, s: Samples): () => unknown {
  if (d.kind === 'text') return () => d.decode(input as string, s);
  if (d.kind === 'bytes') return () => d.decode(input as Uint8Array, s);
  return () => d.decode(input, s);
}

function hostileFor(d: Decoder): readonly unknown[] {
  if (d.kind === 'value') return HOSTILE_VALUES;
  const all: readonly (string | Uint8Array)[] = d.kind === 'text' ? HOSTILE_TEXT : HOSTILE_BYTES;
  return d.emptyIsValid ? all.filter((x) => x.length > 0) : all;
}

const describeInput = (x: unknown) =>
  x instanceof Uint8Array
    ? `bytes(${x.length}) ${Buffer.from(x.subarray(0, 16)).toString('hex')}`
    : typeof x === 'string'
      ? `text(${x.length}) ${JSON.stringify(x.slice(0, 24))}`
      : `value ${String(Array.isArray(x) ? `array(${x.length})` : typeof x)}`;

let s: Samples;
beforeAll(async () => {
  s = await samples();
}, 60_000);

const HOSTILE_CASES = DECODERS.reduce((n, d) => n + hostileFor(d).length, 0);

describe('decoders of outside bytes', () => {
  it(`every decoder of outside bytes throws DiscoError (${DECODERS.length} decoders, ${HOSTILE_CASES} hostile inputs)`, async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const d of DECODERS) {
      for (const input of hostileFor(d)) {
        cases++;
        const result = await outcome(call(d, input, s));
        if (typeof result === 'object' && 'code' in result) continue;
        failures.push(`${d.name} on ${describeInput(input)}: ${JSON.stringify(result)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(HOSTILE_CASES);
  }, 120_000);

  const capped = DECODERS.filter((d) => d.kind !== 'value' && d.oversize);
  it.each(capped.map((d) => [d.name, d] as const))(
    '%s refuses input past its size cap with its code',
    async (_name, d) => {
      if (d.kind === 'value' || !d.oversize) return;
      const input = d.oversize.make();
      expect(await outcome(call(d, input, s))).toEqual({ code: d.oversize.code });
    },
  );

  it.each(DECODERS.map((d) => [d.name, d] as const))(
    `%s: ${RUNS} generated inputs (mutations of a real one, random ones) → a value or a DiscoError`,
    async (_name, d) => {
      let arbitrary: fc.Arbitrary<unknown>;
      if (d.kind === 'text') {
        const generic = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
        arbitrary = fc.oneof(
          generic,
          ...(d.sample ? [mutatedText(d.sample(s))] : []),
          ...(d.structured ? [d.structured(s)] : []),
        );
      } else if (d.kind === 'bytes') {
        const generic = fc.uint8Array({ maxLength: 4096 });
        arbitrary = fc.oneof(
          generic,
          ...(d.sample ? [mutatedBytes(d.sample(s))] : []),
          ...(d.structured ? [d.structured(s)] : []),
        );
      } else {
        const generic = fc.oneof(fc.anything({ withNullPrototype: true }), fc.jsonValue());
        arbitrary = d.sample ? fc.oneof(mutatedValue(d.sample(s)), generic) : generic;
      }
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          runs++;
          const result = await outcome(call(d, input, s));
          return result === 'ok' || (typeof result === 'object' && 'code' in result);
        }),
        { seed: FUZZ_SEED, numRuns: RUNS },
      );
      expect(runs).toBe(RUNS);
    },
    120_000,
  );
});
