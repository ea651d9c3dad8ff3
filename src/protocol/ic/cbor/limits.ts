import { DiscoError } from '../../errors/index.js';

/** Bounds on what `decodeCbor` accepts; the defaults fit every IC reply and certificate. */
export interface CborLimits {
  /** Total input size in bytes. */
  readonly maxBytes: number;
  /** Nesting of arrays, maps and tags. */
  readonly maxDepth: number;
  /** Data items in the whole input. */
  readonly maxItems: number;
}

export const DEFAULT_CBOR_LIMITS: CborLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 128,
  maxItems: 200_000,
};

/** The self-describe tag (RFC 8949 §3.4.6), the only tag the IC uses. */
export const SELF_DESCRIBE_TAG = 55799;

const malformed = (why: string): DiscoError =>
  new DiscoError('ERR_IC_CBOR_MALFORMED', `CBOR: ${why}`);
const limit = (why: string): DiscoError => new DiscoError('ERR_IC_CBOR_LIMIT', `CBOR: ${why}`);

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Walks `bytes` once before cbor-x sees them, because cbor-x has no depth or size limits and is
 * lenient: this enforces the IC's CBOR profile (interface spec §CBOR) and RFC 8949 well-formedness.
 * Refused: indefinite lengths, floats, `undefined` and other simple values (only false, true and
 * null pass), tags other than 55799, map keys that are not text, duplicate keys, `__proto__`,
 * invalid UTF-8, lengths past the end of the input, trailing bytes.
 */
export function checkCbor(bytes: Uint8Array, limits: CborLimits = DEFAULT_CBOR_LIMITS): void {
  if (bytes.length > limits.maxBytes) throw limit(`more than ${limits.maxBytes} bytes`);
  let pos = 0;
  let items = 0;

  const argument = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) throw malformed(info === 31 ? 'indefinite length' : 'reserved header');
    if (pos + size > bytes.length) throw malformed('truncated');
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + bytes[pos + i]!;
    pos += size;
    // Above 2^53 only an integer's value could be meant; a length or count that big is refused below.
    return value;
  };

  const item = (depth: number): string | undefined => {
    if (depth > limits.maxDepth) throw limit(`nested deeper than ${limits.maxDepth}`);
    if (++items > limits.maxItems) throw limit(`more than ${limits.maxItems} items`);
    if (pos >= bytes.length) throw malformed('truncated');
    const head = bytes[pos++]!;
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) {
      if (info === 20 || info === 21 || info === 22) return undefined;
      throw malformed(info === 23 ? 'undefined' : 'float or simple value');
    }
    const n = argument(info);
    switch (major) {
      case 0:
      case 1:
        return undefined;
      case 2:
      case 3: {
        if (n > bytes.length - pos) throw malformed('string past the end');
        const start = pos;
        pos += n;
        if (major === 3) {
          try {
            return textDecoder.decode(bytes.subarray(start, pos));
          } catch {
            throw malformed('invalid UTF-8');
          }
        }
        return undefined;
      }
      case 4:
        if (n > bytes.length - pos) throw malformed('array longer than the input');
        for (let i = 0; i < n; i++) item(depth + 1);
        return undefined;
      case 5: {
        if (n * 2 > bytes.length - pos) throw malformed('map longer than the input');
        const keys = new Set<string>();
        for (let i = 0; i < n; i++) {
          const head = bytes[pos];
          if (head === undefined || head >> 5 !== 3) throw malformed('map key is not text');
          const key = item(depth + 1)!;
          if (key === '__proto__') throw malformed('__proto__ key');
          if (keys.has(key)) throw malformed('duplicate map key');
          keys.add(key);
          item(depth + 1);
        }
        return undefined;
      }
      default:
        if (n !== SELF_DESCRIBE_TAG) throw malformed(`tag ${n}`);
        item(depth + 1);
        return undefined;
    }
  };

  item(0);
  if (pos !== bytes.length) throw malformed('trailing bytes');
}
