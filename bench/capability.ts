// Capability certificates (issue #8, docs/wire/certificates.md): what a verifier such as the notes
// server pays per use, next to the limit the issue names, a bare WebCrypto Ed25519 verify
// measured in the same run. A one-link use checks two signatures (the certificate's and the
// invocation's), so 50 % of the bare verify rate is the most it can reach.
import {
  createInvocation,
  issueCertificate,
  parseCertificate,
  signRevocationList,
  verifyCapability,
  verifyCertificate,
  type Certificate,
} from '../src/protocol/certificates/index.js';
import { generateKey, type TestKey } from '../src/protocol/certificates/test_keys.js';
import { bytes } from '../src/protocol/encoding/index.js';
import type { Results } from './results.js';

type Measure = (
  key: string,
  name: string,
  fn: () => Promise<unknown>,
  opts?: { minMs?: number; baseline?: string },
) => Promise<number>;

const AUD = 'https://notes.example';
const RES = 'https://notes.example/notes/main';
const CAPS = [{ resource: 'https://notes.example/notes/*', actions: ['create' as const] }];

const ROUNDS = 9;

/** Operations per second of `fn` over `ms`, after one warm-up call. */
async function rate(fn: () => Promise<unknown>, ms = 300): Promise<number> {
  await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** A chain of `depth` certificates, root (the device's) first, and the key of its last subject. */
async function chainOf(depth: number, device: TestKey, now: number) {
  const t = Math.floor(now / 1000);
  const chain: Certificate[] = [];
  let issuer = device;
  for (let i = 0; i < depth; i++) {
    const subject = await generateKey();
    chain.push(
      await issueCertificate(
        {
          issuer: issuer.publicKey,
          subject: subject.publicKey,
          capabilities: CAPS,
          notBefore: t,
          expiresAt: t + 3600,
          nonce: crypto.getRandomValues(new Uint8Array(16)),
          ...(i > 0 ? { parent: chain[i - 1]!.id } : {}),
        },
        issuer.sign,
      ),
    );
    issuer = subject;
  }
  return { chain, invoker: issuer };
}

export async function capabilitySection(results: Results, measure: Measure): Promise<void> {
  console.log('\nCapability certificates (Ed25519, canonical CBOR; verifier side)');
  const now = Date.now();
  const device = await generateKey();
  const app = await generateKey();
  const list = await signRevocationList(
    { issuer: device.publicKey, sequence: 0, revoked: [] },
    device.sign,
    now,
  );

  const payload = new Uint8Array(200).fill(7);
  const signature = await crypto.subtle.sign('Ed25519', device.privateKey, payload);
  const publicKey = await crypto.subtle.importKey('raw', bytes(device.publicKey), 'Ed25519', true, [
    'verify',
  ]);
  const bareVerify = () => crypto.subtle.verify('Ed25519', publicKey, signature, payload);

  await measure(
    'capability_issue_verify',
    'issue a certificate + parse and verify it',
    async () => {
      const cert = await issueCertificate(
        {
          issuer: device.publicKey,
          subject: app.publicKey,
          capabilities: CAPS,
          notBefore: Math.floor(now / 1000),
          expiresAt: Math.floor(now / 1000) + 3600,
          nonce: crypto.getRandomValues(new Uint8Array(16)),
        },
        device.sign,
      );
      await parseCertificate(cert.bytes);
    },
    { baseline: 'capability_bare_ed25519_verify' },
  );

  const uses: (() => Promise<unknown>)[] = [];
  for (let depth = 1; depth <= 5; depth++) {
    const { chain, invoker } = await chainOf(depth, device, now);
    // One invocation, verified again and again (`remember` always says new): what is measured
    // is the verification, not the signing of invocations.
    const invocation = (
      await createInvocation(
        {
          invoker: invoker.publicKey,
          audience: AUD,
          resource: RES,
          action: 'create',
          proofs: chain.map((c) => c.id),
          nonce: crypto.getRandomValues(new Uint8Array(16)),
        },
        invoker.sign,
        now,
      )
    ).bytes;
    const certificates = chain.map((c) => c.bytes);
    uses.push(() =>
      verifyCapability({
        certificate: certificates,
        invocation,
        expect: { audience: AUD, resource: RES, action: 'create' },
        now,
        trustedIssuers: [device.publicKey],
        revocations: [list],
        remember: () => true,
      }),
    );
  }
  // The issue's figure: the bare verify and the one-link use in alternating rounds, the median
  // of each, so that the machine's load (shared, and drifting during a run) weighs on both alike.
  // The chain alone (verifyCertificate, as the SDK exports it): one certificate, one signature.
  const single = (await chainOf(1, device, now)).chain[0]!.bytes;
  const chainOnly = () =>
    verifyCertificate(single, {
      resource: RES,
      action: 'create',
      now,
      trustedIssuers: [device.publicKey],
      revocations: [list],
    });
  const rounds: { bare: number[]; one: number[]; chain: number[] } = {
    bare: [],
    one: [],
    chain: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.bare.push(await rate(bareVerify));
    rounds.one.push(await rate(uses[0]!));
    rounds.chain.push(await rate(chainOnly));
  }
  const bare = results.add(
    'capability_bare_ed25519_verify',
    'bare WebCrypto Ed25519 verify (the limit)',
    median(rounds.bare),
    'ops/s',
  );
  const rates = [
    results.add(
      'capability_verify_chain_1',
      'verifyCapability, chain of 1 + invocation',
      median(rounds.one),
      'ops/s',
      'capability_bare_ed25519_verify',
    ),
  ];
  const chainRate = results.add(
    'capability_verify_certificate_1',
    'verifyCertificate, a one-link chain alone',
    median(rounds.chain),
    'ops/s',
    'capability_bare_ed25519_verify',
  );
  console.log(
    `  bare verify, one-link use and chain alone, median of ${ROUNDS} alternating rounds:`,
  );
  console.log(
    `  ${'bare WebCrypto Ed25519 verify (the limit)'.padEnd(44)} ${bare.toFixed(1).padStart(10)} ops/s`,
  );
  console.log(
    `  ${'verifyCapability, chain of 1 + invocation'.padEnd(44)} ${rates[0]!.toFixed(1).padStart(10)} ops/s`,
  );
  console.log(
    `  ${'verifyCertificate, a one-link chain alone'.padEnd(44)} ${chainRate.toFixed(1).padStart(10)} ops/s`,
  );
  for (let depth = 2; depth <= 5; depth++) {
    rates.push(
      await measure(
        `capability_verify_chain_${depth}`,
        `verifyCapability, chain of ${depth} + invocation`,
        uses[depth - 1]!,
        { baseline: 'capability_bare_ed25519_verify' },
      ),
    );
  }
  const ratio = results.ratio(
    'capability_chain1_over_ed25519_verify',
    'one-link chain verifications over bare Ed25519 verifies (issue #8 aims at ≥ 0.5)',
    'capability_verify_chain_1',
    'capability_bare_ed25519_verify',
  );
  const chainRatio = results.ratio(
    'capability_certificate1_over_ed25519_verify',
    'one-link chain verifications alone (verifyCertificate) over bare Ed25519 verifies (issue #8 aims at ≥ 0.5)',
    'capability_verify_certificate_1',
    'capability_bare_ed25519_verify',
  );
  console.log(
    `  a one-link chain alone runs at ${chainRatio.toFixed(2)}× a bare verify (one signature: 1 is the ceiling)`,
  );
  console.log(
    `  a one-link use runs at ${ratio.toFixed(2)}× a bare verify (two signatures: 0.5 is the ceiling); ` +
      `depth 5 at ${((rates[4] ?? 0) / bare).toFixed(2)}×`,
  );
}
