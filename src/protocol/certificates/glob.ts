import { DiscoError } from '../errors/index.js';
import { isWellFormed } from './fields.js';
import { CAPABILITY_LIMITS } from './limits.js';

/**
 * Resource globs, UCAN 1.0 `like` semantics (ucan-wg/spec policy, "Glob Matching"):
 *
 *     glob    = *( star / literal )
 *     star    = "*"          ; any run of characters, none included, "/" included
 *     literal = "\*"         ; a literal star
 *             / any other character, "\" included when no "*" follows it
 *
 * Nothing else is special (no `?`, no classes, no `**` meaning: `**` is two stars), matching is
 * case-sensitive and on the exact UTF-16 text (no Unicode normalization), and a glob or resource
 * with a lone surrogate, or longer than `maxResourceLength`, is refused.
 *
 * Hand-written rather than a RegExp or a glob package: the pattern comes from a signed but
 * untrusted document, and both matching and attenuation must run in linear time. A `*`-only glob
 * splits into literal segments; the first must be a prefix, the last a suffix, and the middle ones
 * occur in order, each found at its leftmost place (leftmost is optimal for `*`-only patterns) by
 * Knuth–Morris–Pratt, so the work is O(|glob| + |text|) whatever the pattern.
 */
export interface Glob {
  /** The literal runs between stars; one segment means no star. */
  readonly segments: readonly (readonly number[])[];
  readonly source: string;
}

/** A star in a tokenized *pattern* used as a text (attenuation), equal to no character. */
const STAR = -1;

/** Parses `source` as a glob; `ERR_CAP_GLOB_INVALID` for a non-string, too long or ill-formed. */
export function parseGlob(source: unknown): Glob {
  checkText(source, 'glob');
  const segments: number[][] = [[]];
  for (const unit of tokens(source)) {
    if (unit === STAR) segments.push([]);
    else segments[segments.length - 1]!.push(unit);
  }
  return { segments, source };
}

/**
 * True when `resource` is matched by `pattern` (UCAN `like`). A non-string or invalid pattern
 * or resource gives false and never throws, as UCAN says of `like`.
 */
export function matchResource(pattern: string, resource: string): boolean {
  try {
    checkText(resource, 'resource');
    return matchUnits(parseGlob(pattern).segments, units(resource));
  } catch {
    return false;
  }
}

/** Matching on an already parsed glob (the verifier parses once). */
export function globMatches(glob: Glob, resource: string): boolean {
  return matchUnits(glob.segments, units(resource));
}

/**
 * True when every resource `child` matches is also matched by `parent` — the attenuation rule
 * for delegation. The child's stars are kept as a symbol only the parent's stars can absorb, so a
 * true answer is a proof (substitute any text for the child's stars); the check is sound, never
 * widening, and linear like matching.
 */
export function globCovers(parent: Glob, child: Glob): boolean {
  const text: number[] = [];
  child.segments.forEach((segment, i) => {
    if (i > 0) text.push(STAR);
    text.push(...segment);
  });
  return matchUnits(parent.segments, text);
}

function matchUnits(segments: readonly (readonly number[])[], text: readonly number[]): boolean {
  const first = segments[0]!;
  if (segments.length === 1) return equalAt(text, 0, first) && text.length === first.length;
  const last = segments[segments.length - 1]!;
  if (text.length < first.length + last.length) return false;
  if (!equalAt(text, 0, first) || !equalAt(text, text.length - last.length, last)) return false;
  let from = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const at = indexOf(text, segments[i]!, from, end);
    if (at < 0) return false;
    from = at + segments[i]!.length;
  }
  return true;
}

function equalAt(text: readonly number[], at: number, segment: readonly number[]): boolean {
  for (let i = 0; i < segment.length; i++) if (text[at + i] !== segment[i]) return false;
  return true;
}

/** Knuth–Morris–Pratt: the first index ≥ from where `needle` ends at or before `end`, or −1. */
function indexOf(text: readonly number[], needle: readonly number[], from: number, end: number) {
  if (needle.length === 0) return from;
  const fail = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = fail[k - 1]!;
    if (needle[i] === needle[k]) k++;
    fail[i] = k;
  }
  for (let i = from, k = 0; i < end; i++) {
    while (k > 0 && text[i] !== needle[k]) k = fail[k - 1]!;
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - k + 1;
  }
  return -1;
}

function tokens(source: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const unit = source.charCodeAt(i);
    if (unit === 0x5c && source.charCodeAt(i + 1) === 0x2a) {
      out.push(0x2a); // "\*" is a literal star
      i++;
    } else out.push(unit === 0x2a ? STAR : unit);
  }
  return out;
}

const units = (text: string): number[] =>
  Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));

function checkText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length > CAPABILITY_LIMITS.maxResourceLength) {
    throw new DiscoError('ERR_CAP_GLOB_INVALID', `${what}: a string of at most 512 characters`);
  }
  // A lone surrogate would let a star split a character in two: refused (well-formed UTF-16).
  if (!isWellFormed(value)) {
    throw new DiscoError('ERR_CAP_GLOB_INVALID', `${what}: a lone surrogate is not text`);
  }
}
