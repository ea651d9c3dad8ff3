/**
 * Issue #11: what the device app reads from outside in pure code — pairing codes as people type
 * them, QR payloads and links, relay addresses — fuzzed. Valid inputs in all their spellings are
 * read exactly; anything else is refused with ERR_INVALID_INPUT (ERR_TOO_LARGE past the caps),
 * never another error. Seeded and counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { normaliseUid, parsePairingCode } from '../pairing/pairing.js';
import { checkRelayUrl } from '../pairing/relay_url.js';
import { FUZZ_SEED, mutatedText } from './fixtures.js';

const RUNS = 500;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALLOWED = ['ERR_INVALID_INPUT', 'ERR_TOO_LARGE'];

/** A uid in canonical form (`K7QF-2M4D`). */
const uid = fc
  .array(fc.constantFrom(...CROCKFORD), { minLength: 8, maxLength: 8 })
  .map((c) => `${c.slice(0, 4).join('')}-${c.slice(4).join('')}`);

/** How a person may type `canonical`: any case, no dash, spaces, I/L for 1 and O for 0. */
function typed(canonical: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.boolean(),
      fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      fc.constantFrom('', ' ', '  ', '\t'),
    )
    .map(([dash, lower, swap, pad]) => {
      const chars = [...(dash ? canonical : canonical.replace('-', ''))].map((c, i) => {
        let out = c;
        if (swap[i] && c === '1') out = i % 2 ? 'I' : 'L';
        if (swap[i] && c === '0') out = 'O';
        return lower[i] ? out.toLowerCase() : out;
      });
      return `${pad}${chars.join('')}${pad}`;
    });
}

const thumbprint = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const relay = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    fc.domain(),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  )
  .map(([scheme, host, port]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}`);

/** A QR payload or link as the relying party's page makes it. */
const link = fc
  .record({
    uid,
    x5t: fc.option(thumbprint, { nil: undefined }),
    relay: fc.option(relay, { nil: undefined }),
    form: fc.constantFrom(
      'web+disco:pair?',
      'https://disco.example/?',
      'https://a.example/#/connect?',
    ),
  })
  .map((r) => {
    const query = new URLSearchParams({ uid: r.uid });
    if (r.x5t !== undefined) query.set('x5t', r.x5t);
    if (r.relay !== undefined) query.set('relay', r.relay);
    return { ...r, text: `${r.form}${query.toString()}` };
  });

/** Runs `read`: its value, or the code of the DiscoError it threw (anything else fails the test). */
function outcome<T>(read: () => T): { value: T } | { code: string } {
  try {
    return { value: read() };
  } catch (err) {
    if (!isDiscoError(err)) throw err;
    return { code: err.code };
  }
}

describe('device app inputs, fuzzed', () => {
  it(`pairing codes as people type them: ${RUNS} runs read back exactly`, () => {
    let runs = 0;
    fc.assert(
      fc.property(
        uid.chain((u) => fc.tuple(fc.constant(u), typed(u))),
        ([canonical, text]) => {
          runs++;
          expect(normaliseUid(text)).toBe(canonical);
          expect(parsePairingCode(text)).toEqual({ uid: canonical });
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });

  it(`QR payloads and links: ${RUNS} runs read back exactly`, () => {
    let runs = 0;
    fc.assert(
      fc.property(link, (l) => {
        runs++;
        expect(parsePairingCode(l.text)).toEqual({
          uid: l.uid,
          ...(l.x5t === undefined ? {} : { thumbprint: l.x5t }),
          ...(l.relay === undefined ? {} : { relay: new URL(l.relay).origin }),
        });
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });

  it(`changed, truncated and random codes and links: ${RUNS} runs, a code or ERR_INVALID_INPUT`, () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          link.chain((l) => mutatedText(l.text)),
          uid.chain((u) => mutatedText(u)),
          fc.string({ unit: 'binary', maxLength: 300 }),
        ),
        (text) => {
          runs++;
          const result = outcome(() => parsePairingCode(text));
          if ('code' in result) {
            expect(ALLOWED).toContain(result.code);
            return;
          }
          // Whatever is accepted is in normal form: a canonical uid, a thumbprint, an origin.
          expect(result.value.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
          if (result.value.thumbprint !== undefined)
            expect(result.value.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
          if (result.value.relay !== undefined)
            expect(checkRelayUrl(result.value.relay)).toBe(result.value.relay);
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });

  it(`relay addresses: ${RUNS} runs, an origin or ERR_INVALID_INPUT, never credentials or paths`, () => {
    let runs = 0;
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          relay,
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.webUrl().map((u) => u.replace('://', '://user:pw@')),
          relay.chain((r) => mutatedText(r)),
          fc.string({ unit: 'binary', maxLength: 100 }),
        ),
        (text) => {
          runs++;
          const result = outcome(() => checkRelayUrl(text));
          if ('code' in result) {
            expect(ALLOWED).toContain(result.code);
            return;
          }
          accepted++;
          const url = new URL(text.trim());
          expect(url.username + url.password + url.search + url.hash).toBe('');
          expect(['', '/']).toContain(url.pathname);
          expect(result.value).toBe(url.origin);
          expect(checkRelayUrl(result.value)).toBe(result.value); // idempotent
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
