import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import * as core from 'webcrypto-core';
import { derOf, parsePublicKey } from './der.js';

/**
 * A key of `IcSubtleCrypto`: a native CryptoKey it wraps, or a secp256k1 public point kept for
 * @noble/curves (webcrypto-core insists on its own CryptoKey class).
 */
class IcCryptoKey extends core.CryptoKey {
  native?: CryptoKey;
  point?: Uint8Array;
}

function wrap(native: CryptoKey): IcCryptoKey {
  const key = IcCryptoKey.create(native.algorithm, native.type, native.extractable, native.usages);
  key.native = native;
  return key;
}

const nativeOf = (key: CryptoKey): CryptoKey => {
  const native = (key as IcCryptoKey).native;
  if (!native) throw new core.OperationError('not a native key');
  return native;
};

const HASHES: Record<string, (data: Uint8Array) => Uint8Array> = {
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
};

/**
 * ECDSA on P-256 through the native WebCrypto and on secp256k1 ("K-256") through @noble/curves.
 * secp256k1 keys are public only (the agent verifies; it never holds an IC user's secp256k1
 * key), and high-S signatures verify, as the IC accepts them.
 */
class EcdsaProvider extends core.EcdsaProvider {
  override namedCurves = ['P-256', 'K-256'];

  constructor(private readonly native: SubtleCrypto) {
    super();
  }

  override async onGenerateKey(
    algorithm: EcKeyGenParams,
    extractable: boolean,
    usages: KeyUsage[],
  ): Promise<CryptoKeyPair> {
    if (algorithm.namedCurve === 'K-256') throw new core.UnsupportedOperationError('generateKey');
    const pair = await this.native.generateKey(algorithm, extractable, usages);
    return { privateKey: wrap(pair.privateKey), publicKey: wrap(pair.publicKey) };
  }

  override async onImportKey(
    format: KeyFormat,
    keyData: JsonWebKey | ArrayBuffer,
    algorithm: EcKeyImportParams,
    extractable: boolean,
    usages: KeyUsage[],
  ): Promise<core.CryptoKey> {
    if (algorithm.namedCurve !== 'K-256') {
      return wrap(
        await this.native.importKey(
          format as 'raw',
          keyData as ArrayBuffer,
          algorithm,
          extractable,
          usages,
        ),
      );
    }
    if (format !== 'raw' && format !== 'spki') throw new core.UnsupportedOperationError(format);
    const bytes = new Uint8Array(keyData as ArrayBuffer);
    const point = format === 'raw' ? bytes : parsePublicKey(bytes, ['ecdsa-secp256k1']).raw;
    try {
      secp256k1.Point.fromBytes(point).assertValidity();
    } catch {
      throw new core.OperationError('not a secp256k1 point');
    }
    const key = IcCryptoKey.create(
      { name: 'ECDSA', namedCurve: 'K-256' } as KeyAlgorithm,
      'public',
      extractable,
      usages,
    );
    key.point = point;
    return key;
  }

  override async onExportKey(
    format: KeyFormat,
    key: core.CryptoKey,
  ): Promise<JsonWebKey | ArrayBuffer> {
    const { point } = key as IcCryptoKey;
    if (!point) return this.native.exportKey(format as 'raw', nativeOf(key));
    if (format === 'raw') return Uint8Array.from(point).buffer;
    if (format === 'spki') return derOf('ecdsa-secp256k1', point).buffer as ArrayBuffer;
    throw new core.UnsupportedOperationError(format);
  }

  override async onSign(
    algorithm: EcdsaParams,
    key: CryptoKey,
    data: ArrayBuffer,
  ): Promise<ArrayBuffer> {
    return this.native.sign(algorithm, nativeOf(key), data);
  }

  override async onVerify(
    algorithm: EcdsaParams,
    key: CryptoKey,
    signature: ArrayBuffer,
    data: ArrayBuffer,
  ): Promise<boolean> {
    const { point } = key as IcCryptoKey;
    if (!point) return this.native.verify(algorithm, nativeOf(key), signature, data);
    const hash = HASHES[(algorithm.hash as Algorithm).name.toUpperCase()];
    if (!hash) throw new core.UnsupportedOperationError('hash');
    try {
      const digest = hash(new Uint8Array(data));
      return secp256k1.verify(new Uint8Array(signature), digest, point, {
        prehash: false,
        lowS: false,
      });
    } catch {
      return false;
    }
  }
}

/** Ed25519 through the native WebCrypto (RFC 8032 verification). */
class Ed25519Provider extends core.Ed25519Provider {
  constructor(private readonly native: SubtleCrypto) {
    super();
  }

  override async onGenerateKey(
    algorithm: Algorithm,
    extractable: boolean,
    usages: KeyUsage[],
  ): Promise<CryptoKeyPair> {
    const pair = (await this.native.generateKey(algorithm, extractable, usages)) as CryptoKeyPair;
    return { privateKey: wrap(pair.privateKey), publicKey: wrap(pair.publicKey) };
  }

  override async onImportKey(
    format: KeyFormat,
    keyData: JsonWebKey | ArrayBuffer,
    algorithm: Algorithm,
    extractable: boolean,
    usages: KeyUsage[],
  ): Promise<core.CryptoKey> {
    return wrap(
      await this.native.importKey(
        format as 'raw',
        keyData as ArrayBuffer,
        algorithm,
        extractable,
        usages,
      ),
    );
  }

  override async onExportKey(
    format: KeyFormat,
    key: core.CryptoKey,
  ): Promise<JsonWebKey | ArrayBuffer> {
    return this.native.exportKey(format as 'raw', nativeOf(key));
  }

  override async onSign(
    algorithm: Algorithm,
    key: CryptoKey,
    data: ArrayBuffer,
  ): Promise<ArrayBuffer> {
    return this.native.sign(algorithm, nativeOf(key), data);
  }

  override async onVerify(
    algorithm: Algorithm,
    key: CryptoKey,
    signature: ArrayBuffer,
    data: ArrayBuffer,
  ): Promise<boolean> {
    return this.native.verify(algorithm, nativeOf(key), signature, data);
  }
}

/**
 * One SubtleCrypto for every curve the IC's users sign with (interface spec §Signatures):
 * Ed25519 and ECDSA P-256 from the native WebCrypto, ECDSA secp256k1 (`namedCurve: 'K-256'`,
 * which WebCrypto lacks) from @noble/curves, behind webcrypto-core's provider interface, the same
 * SubtleCrypto shape @peculiar/x509 takes.
 */
export class IcSubtleCrypto extends core.SubtleCrypto {
  constructor(native: SubtleCrypto = crypto.subtle) {
    super();
    this.providers.set(new EcdsaProvider(native));
    this.providers.set(new Ed25519Provider(native));
  }
}
