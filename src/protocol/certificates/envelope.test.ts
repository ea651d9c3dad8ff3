import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { encodeCanonical } from './cbor.js';
import { openEnvelope, sealEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import { generateKey } from './test_keys.js';

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** RFC 8032 §7.1, TEST 2 (one-byte message 0x72): https://www.rfc-editor.org/rfc/rfc8032#section-7.1 */
const RFC8032_TEST2 = {
  publicKey: hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
  message: hex('72'),
  signature: hex(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ),
};

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toLe = (n: bigint) =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (b: Uint8Array) => b.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);

describe('Ed25519 verification', () => {
  it('accepts the RFC 8032 vector and refuses its malleated twin (S + L)', async () => {
    const { publicKey, message, signature } = RFC8032_TEST2;
    expect(await verifyEd25519(publicKey, message, signature)).toBe(true);
    const malleated = signature.slice();
    malleated.set(toLe(fromLe(signature.subarray(32)) + L), 32);
    expect(await verifyEd25519(publicKey, message, malleated)).toBe(false);
    expect(await verifyEd25519(publicKey, hex('73'), signature)).toBe(false);
    expect(await verifyEd25519(publicKey.subarray(1), message, signature)).toBe(false);
    expect(await verifyEd25519(publicKey, message, signature.subarray(1))).toBe(false);
  });
});

describe('envelopes', () => {
  it('sign the type tag: a request envelope does not open as a certificate', async () => {
    const key = await generateKey();
    const { bytes, id } = await sealEnvelope(TAGS.request, { a: 1 }, key.sign);
    const opened = await openEnvelope(bytes, TAGS.request, 1000);
    expect(opened.id).toBe(id);
    expect(await verifyEd25519(key.publicKey, opened.signed, opened.signature)).toBe(true);
    await expect(openEnvelope(bytes, TAGS.certificate, 1000)).rejects.toSatisfy((err) =>
      isDiscoError(err, 'ERR_CAP_MALFORMED'),
    );
  });

  it('refuse other shapes', async () => {
    const sig = new Uint8Array(64);
    const shapes = [
      encodeCanonical([sig]),
      encodeCanonical([sig, { [TAGS.request]: {}, extra: 1 }]),
      encodeCanonical([new Uint8Array(63), { [TAGS.request]: {} }]),
      encodeCanonical([sig, { [TAGS.request]: [1] }]),
      encodeCanonical({ [TAGS.request]: {} }),
    ];
    for (const bytes of shapes) {
      await expect(openEnvelope(bytes, TAGS.request, 1000)).rejects.toSatisfy((err) =>
        isDiscoError(err, 'ERR_CAP_MALFORMED'),
      );
    }
  });

  it('refuse a signer that does not return 64 bytes', async () => {
    await expect(
      sealEnvelope(TAGS.request, {}, () => Promise.resolve(new Uint8Array(10))),
    ).rejects.toSatisfy((err) => isDiscoError(err, 'ERR_INVALID_INPUT'));
  });
});
