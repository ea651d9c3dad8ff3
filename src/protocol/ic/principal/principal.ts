import { sha224 } from '@noble/hashes/sha2.js';
import { DiscoError } from '../../errors/index.js';
import { base32Decode, base32Encode } from './base32.js';
import { crc32 } from './crc32.js';

const MAX_LENGTH = 29;
const SELF_AUTHENTICATING = 0x02;
const ANONYMOUS = 0x04;

const invalid = (why: string) => new DiscoError('ERR_IC_PRINCIPAL_INVALID', `principal: ${why}`);

/**
 * An IC principal: 0 to 29 bytes (interface spec §Principals). Immutable; `toUint8Array` copies.
 */
export class Principal {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** A principal from its bytes (copied); more than 29 bytes is refused. */
  static fromUint8Array(bytes: Uint8Array): Principal {
    if (!(bytes instanceof Uint8Array) || bytes.length > MAX_LENGTH) throw invalid('bad length');
    return new Principal(Uint8Array.from(bytes));
  }

  /**
   * Parses the textual form `Grouped(Base32(CRC32(b) · b))` (spec §Textual representation of
   * principals): case-insensitive, the CRC must match and the dashes must sit every 5 characters.
   */
  static fromText(text: string): Principal {
    if (typeof text !== 'string' || text.length > 63) throw invalid('not a principal text');
    const canonical = text.toLowerCase();
    const decoded = base32Decode(canonical.replaceAll('-', ''));
    if (decoded === undefined || decoded.length < 4) throw invalid('not base32');
    const principal = Principal.fromUint8Array(decoded.subarray(4));
    const view = new DataView(decoded.buffer, decoded.byteOffset, 4);
    if (view.getUint32(0) !== crc32(principal.#bytes)) throw invalid('checksum mismatch');
    if (principal.toText() !== canonical) throw invalid('not in canonical groups');
    return principal;
  }

  /** The self-authenticating id of a DER public key: SHA-224(der) · 0x02 (spec §Special forms). */
  static selfAuthenticating(derPublicKey: Uint8Array): Principal {
    const out = new Uint8Array(MAX_LENGTH);
    out.set(sha224(derPublicKey));
    out[28] = SELF_AUTHENTICATING;
    return new Principal(out);
  }

  /** The anonymous principal, 0x04. */
  static anonymous(): Principal {
    return new Principal(new Uint8Array([ANONYMOUS]));
  }

  /** The management canister `aaaaa-aa`: the empty blob. */
  static managementCanister(): Principal {
    return new Principal(new Uint8Array(0));
  }

  isAnonymous(): boolean {
    return this.#bytes.length === 1 && this.#bytes[0] === ANONYMOUS;
  }

  toUint8Array(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  toText(): string {
    const body = new Uint8Array(4 + this.#bytes.length);
    new DataView(body.buffer).setUint32(0, crc32(this.#bytes));
    body.set(this.#bytes, 4);
    return (base32Encode(body).match(/.{1,5}/g) ?? []).join('-');
  }

  toString(): string {
    return this.toText();
  }

  toJSON(): string {
    return this.toText();
  }

  equals(other: Principal): boolean {
    return Principal.compare(this, other) === 0;
  }

  /** Byte-wise order, shorter first on a common prefix: the order of canister ranges. */
  static compare(a: Principal, b: Principal): number {
    const x = a.#bytes;
    const y = b.#bytes;
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i]! - y[i]!;
    }
    return x.length - y.length;
  }
}
