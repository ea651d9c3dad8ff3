/**
 * x509-limbo path-validation vectors.
 * Source: C2SP/x509-limbo (https://github.com/C2SP/x509-limbo), Apache-2.0 (see LICENSE next to
 * the vectors): `limbo.json` of the 2023-12 snapshot at ddc40b4 and the real-site chains of
 * `online/*.limbo.json` at 8a2e6f4, as copied to /work/shared/vectors/x509-limbo (set
 * DISCO_VECTORS_DIR to move it).
 *
 * Which cases run — the rule, applied in `verdict` below:
 * 1. A case with any `features` other than `max-chain-depth` is skipped: those mark pedantic
 *    profile checks (serial numbers, WebPKI EKU/key policy, DN name constraints, …).
 * 2. A case in a family whose outcome rests on something we deliberately do not check is
 *    skipped: name constraints (nc), server-name / SAN matching (san), AKI/SKI presence (aki,
 *    ski: issuance-profile rules, not path validation).
 * 3. Everything else runs with `validation_time` as `now` (or a fixed 2023-12-01 when null),
 *    `purpose: 'verify'` (limbo's key_usage is at most digitalSignature), the case's EKU, or
 *    serverAuth when it names none (every case is a SERVER validation), and `max_chain_depth`
 *    as `maxIntermediates` (capped at our maximum of 8).
 * 4. Expected results are limbo's, except where Disco is stricter on purpose (OVERRIDES: a CA
 *    certificate is never accepted as a client certificate). FAILURE cases must fail with a
 *    DiscoError; some must fail with a specific code (CODES).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDiscoError, type ErrorCode } from '../errors/index.js';
import { OID } from './lib/names.js';
import { parseCertificate, validateCertificate, type ParsedCertificate } from './index.js';
import { VECTORS_DIR } from '../../testing/vectors.js';

interface LimboCase {
  id: string;
  features: string[] | null;
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  extended_key_usage: string[] | null;
  key_usage: string[] | null;
  expected_result: 'SUCCESS' | 'FAILURE';
  max_chain_depth: number | null;
}

const ROOT = join(VECTORS_DIR, 'x509-limbo');
const snapshot = (
  JSON.parse(readFileSync(join(ROOT, '2023-12-snapshot/limbo.json'), 'utf8')) as {
    testcases: LimboCase[];
  }
).testcases;
const online = readdirSync(join(ROOT, 'online'))
  .filter((file) => file.endsWith('.limbo.json'))
  .map((file) => {
    const testcase = JSON.parse(readFileSync(join(ROOT, 'online', file), 'utf8')) as LimboCase;
    return { ...testcase, id: `${testcase.id} (online/${file})` };
  });

const RUNNABLE_FEATURES = new Set(['max-chain-depth']);
const SKIPPED_FAMILIES: Record<string, string> = {
  'rfc5280::nc::': 'name constraints are not processed (a critical nameConstraints is refused)',
  'webpki::nc::': 'name constraints are not processed',
  'rfc5280::san::': 'subjectAltName profile rules: names are not matched for client certificates',
  'webpki::san::': 'server-name matching is not done for client certificates',
  'rfc5280::aki::': 'AKI presence is an issuance-profile rule, not checked',
  'rfc5280::ski::': 'SKI presence is an issuance-profile rule, not checked',
  'webpki::aki::': 'AKI shape is a WebPKI profile rule, not checked',
};
const OVERRIDES: Record<string, { expected: 'FAILURE'; code: ErrorCode; why: string }> = {
  'pathlen::validation-ignores-pathlen-in-leaf': {
    expected: 'FAILURE',
    code: 'ERR_CERT_BASIC_CONSTRAINTS',
    why: 'the leaf is a CA (cA=TRUE): Disco never accepts a CA as a client certificate',
  },
};
const CODES: Record<string, ErrorCode> = {
  'rfc5280::validity::expired-leaf': 'ERR_CERT_EXPIRED',
  'rfc5280::validity::expired-intermediate': 'ERR_CERT_EXPIRED',
  'rfc5280::validity::expired-root': 'ERR_CERT_EXPIRED',
  'pathlen::intermediate-violates-pathlen-0': 'ERR_CERT_BASIC_CONSTRAINTS',
  'pathlen::intermediate-pathlen-too-long': 'ERR_CERT_BASIC_CONSTRAINTS',
  'rfc5280::intermediate-ca-without-ca-bit': 'ERR_CERT_BASIC_CONSTRAINTS',
  // rfc5280::intermediate-ca-missing-basic-constraints: not here, its intermediate is missing from
  // the snapshot, so it fails as ERR_CERT_UNTRUSTED before basic constraints are looked at.
  'rfc5280::root-missing-basic-constraints': 'ERR_CERT_BASIC_CONSTRAINTS',
  'rfc5280::root-non-critical-basic-constraints': 'ERR_CERT_BASIC_CONSTRAINTS',
  'rfc5280::root-inconsistent-ca-extensions': 'ERR_CERT_BASIC_CONSTRAINTS',
  'webpki::ee-basicconstraints-ca': 'ERR_CERT_BASIC_CONSTRAINTS',
  'rfc5280::leaf-ku-keycertsign': 'ERR_CERT_KEY_USAGE',
  'rfc5280::eku::ee-wrong-eku': 'ERR_CERT_KEY_USAGE',
  'rfc5280::unknown-critical-extension-ee': 'ERR_CERT_UNTRUSTED',
  'rfc5280::unknown-critical-extension-intermediate': 'ERR_CERT_UNTRUSTED',
  'rfc5280::unknown-critical-extension-root': 'ERR_CERT_UNTRUSTED',
  'rfc5280::ee-critical-aia-invalid': 'ERR_CERT_UNTRUSTED',
  'rfc5280::chain-untrusted-root': 'ERR_CERT_UNTRUSTED',
  'rfc5280::duplicate-extensions': 'ERR_CERT_MALFORMED',
  'rfc5280::ee-empty-issuer': 'ERR_CERT_MALFORMED', // in fact the root's issuer is empty
  'rfc5280::mismatching-signature-algorithm': 'ERR_CERT_MALFORMED',
  'webpki::v1-cert': 'ERR_CERT_MALFORMED',
  'webpki::cryptographydotio-chain-missing-intermediate': 'ERR_CERT_UNTRUSTED',
};

type Verdict =
  { run: false; why: string } | { run: true; expected: 'SUCCESS' | 'FAILURE'; code?: ErrorCode };

function verdict(testcase: LimboCase): Verdict {
  const extra = (testcase.features ?? []).filter((feature) => !RUNNABLE_FEATURES.has(feature));
  if (extra.length > 0) return { run: false, why: `features ${extra.join(', ')}` };
  const family = Object.keys(SKIPPED_FAMILIES).find((prefix) => testcase.id.startsWith(prefix));
  if (family) return { run: false, why: SKIPPED_FAMILIES[family]! };
  const override = OVERRIDES[testcase.id];
  if (override) return { run: true, expected: override.expected, code: override.code };
  const code = CODES[testcase.id];
  return code
    ? { run: true, expected: testcase.expected_result, code }
    : { run: true, expected: testcase.expected_result };
}

const EKU_OIDS: Record<string, string> = { serverAuth: OID.serverAuth, clientAuth: OID.clientAuth };

async function judge(testcase: LimboCase): Promise<ErrorCode | 'SUCCESS'> {
  try {
    const parseAll = (pems: string[]): Promise<ParsedCertificate[]> =>
      Promise.all(pems.map((pem) => parseCertificate(pem)));
    const leaf = await parseCertificate(testcase.peer_certificate);
    const ekus = (testcase.extended_key_usage ?? []).map((name) => EKU_OIDS[name] ?? name);
    await validateCertificate(leaf, {
      now: new Date(testcase.validation_time ?? '2023-12-01T00:00:00Z'),
      anchors: await parseAll(testcase.trusted_certs),
      intermediates: await parseAll(testcase.untrusted_intermediates),
      purpose: 'verify',
      extendedKeyUsage:
        ekus.length > 0
          ? ekus
          : [testcase.validation_kind === 'SERVER' ? OID.serverAuth : OID.clientAuth],
      ...(testcase.max_chain_depth === null
        ? {}
        : { maxIntermediates: Math.min(testcase.max_chain_depth, 8) }),
    });
    return 'SUCCESS';
  } catch (err) {
    if (isDiscoError(err)) return err.code;
    throw err;
  }
}

const all = [...snapshot, ...online];
const selected = all.flatMap((testcase) => {
  const v = verdict(testcase);
  return v.run ? [{ testcase, ...v }] : [];
});

describe('x509-limbo', () => {
  it('runs enough cases that a filter bug cannot skip them all', () => {
    expect(all.length).toBe(135 + 14);
    expect(selected.length).toBeGreaterThanOrEqual(70);
    expect(selected.filter((c) => c.expected === 'SUCCESS').length).toBeGreaterThanOrEqual(30);
    expect(selected.filter((c) => c.testcase.id.startsWith('online::')).length).toBe(28);
  });

  it.each(selected.map((c) => [c.testcase.id, c] as const))('%s', async (_id, c) => {
    const result = await judge(c.testcase);
    if (c.expected === 'SUCCESS') expect(result).toBe('SUCCESS');
    else if (c.code) expect(result).toBe(c.code);
    else expect(result).toMatch(/^ERR_CERT_/);
  });
});
