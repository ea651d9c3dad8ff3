import { checkCertificateOutline } from './lib/der.js';
import { derOf } from './lib/input.js';
import { summarize } from './lib/summarize.js';
import type { ParsedCertificate } from './types.js';

/** Certificates a cache holds by default: a device has a few clients and anchors, not hundreds. */
export const DEFAULT_CACHE_ENTRIES = 64;
/** DER bytes a cache holds by default (real client certificates are 0.5–3 KiB). */
export const DEFAULT_CACHE_BYTES = 1024 * 1024;

export interface CertificateCacheOptions {
  /** Most certificates held, at least 1 (default DEFAULT_CACHE_ENTRIES). */
  readonly maxEntries?: number;
  /** Most DER bytes held in all; a larger certificate is parsed but not kept (default 1 MiB). */
  readonly maxBytes?: number;
}

/**
 * `parseCertificate` with a memory: parsing the same bytes again returns the earlier result.
 *
 * Why this is safe: parsing is a pure function of the DER bytes. Everything it yields (fields,
 * extensions, the thumbprint, even `selfSigned`, which checks the certificate's own signature
 * with its own key) depends on those bytes alone, never on the time, the trust anchors, the pins
 * or the purpose. The cache keeps only that, and keys it by the bytes actually given, in full
 * (never a thumbprint or header someone claims), so another certificate (one byte differs) is
 * never served; no hash is computed for a hit. What depends on anything else (validity at `now`, chains, pins, key usage, signatures
 * by issuers) is `validateCertificate`'s, and callers still run it on every request. Failures
 * are not kept: bad input is refused by a fresh parse each time, as without a cache.
 *
 * Each caller gets its own object with its own `der` and dates; the shared parts are frozen
 * (`certificate`, the library's parse tree, is shared as is: nothing may change it). Because the
 * parse tree is shared, what `importCertificateKey` imported and the signatures
 * `validateCertificate` verified for it are kept with it (pure functions of the bytes too).
 */
export interface CertificateCache {
  /** As `parseCertificate` (same input, same errors); served from memory when seen before. */
  parse(input: string | Uint8Array): Promise<ParsedCertificate>;
  /** Certificates held now. */
  readonly size: number;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${what} must be a positive integer`);
  return value;
}

/** The bytes as a string, one character a byte: an exact Map key, cheaper than hashing them. */
function keyOf(der: Uint8Array): string {
  let key = '';
  for (let i = 0; i < der.length; i += 8192)
    key += String.fromCharCode(...der.subarray(i, i + 8192));
  return key;
}

/** The caller's copy: fresh mutable parts, so no caller can change what the next one gets. */
function handOut(kept: ParsedCertificate, der: Uint8Array): ParsedCertificate {
  return {
    ...kept,
    notBefore: new Date(kept.notBefore.getTime()),
    notAfter: new Date(kept.notAfter.getTime()),
    der,
  };
}

function freeze(parsed: ParsedCertificate): ParsedCertificate {
  Object.freeze(parsed.publicKey);
  if (parsed.keyUsage) Object.freeze(parsed.keyUsage);
  if (parsed.extendedKeyUsage) Object.freeze(parsed.extendedKeyUsage);
  if (parsed.basicConstraints) Object.freeze(parsed.basicConstraints);
  return Object.freeze(parsed);
}

/**
 * A bounded, least-recently-used cache of parsed certificates (see `CertificateCache`). One per
 * engine host is enough; it holds public certificates only, nothing secret.
 */
export function createCertificateCache(options: CertificateCacheOptions = {}): CertificateCache {
  const maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_CACHE_ENTRIES, 'maxEntries');
  const maxBytes = positiveInteger(options.maxBytes ?? DEFAULT_CACHE_BYTES, 'maxBytes');
  // Map iteration follows insertion order: re-inserting on a hit makes the first key the LRU.
  const entries = new Map<string, ParsedCertificate>();
  let bytes = 0;

  function keep(key: string, parsed: ParsedCertificate): void {
    if (parsed.der.length > maxBytes) return;
    const old = entries.get(key);
    if (old) {
      entries.delete(key);
      bytes -= old.der.length;
    }
    entries.set(key, freeze(parsed));
    bytes += parsed.der.length;
    for (const [oldest, entry] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      entries.delete(oldest);
      bytes -= entry.der.length;
    }
  }

  return {
    async parse(input) {
      const der = derOf(input); // the PEM rules are checked on every call; our own copy
      checkCertificateOutline(der); // the size bound, before building the key
      const key = keyOf(der);
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return handOut(hit, der);
      }
      const parsed = await summarize(der); // copies `der`: what we keep is never handed out
      keep(key, parsed);
      return handOut(parsed, der);
    },
    get size() {
      return entries.size;
    },
  };
}
