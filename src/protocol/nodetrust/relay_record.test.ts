import { describe, expect, it } from 'vitest';
import { b64u, utf8 } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { decodeCbor, encodeCbor } from '../ic/cbor/index.js';
import { addressLabel, peerLabel } from './names.js';
import {
  checkRelayCertificate,
  createRelayRecord,
  discoverRelay,
  MAX_RELAY_RECORD_CHARS,
  relayRecordName,
  verifyRelayRecord,
  type RelayRecordContent,
} from './relay_record.js';
import { signDocument, DOMAINS, type Signer } from './signed_document.js';
import { newSigner } from './testing.js';

const ZONE = 'nodetrust.disco.test';
const NOW = 1_780_000_000_000;
const CERT = new Uint8Array(32).fill(7);

function contentFor(signer: Signer, address = '203.0.113.7'): RelayRecordContent {
  const ipName = `${addressLabel(address)}.${ZONE}`;
  return {
    url: `https://${ipName}:8443`,
    names: [ipName, `${peerLabel(signer.peer)}.${ZONE}`],
    addresses: [address],
    certificateSha256: CERT,
  };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isDiscoError(err)) return err.code;
    throw err;
  }
  return 'resolved';
}

describe('relay discovery record', () => {
  it('round-trips: the reader gets what the relay signed', async () => {
    const relay = await newSigner();
    const token = await createRelayRecord(relay, contentFor(relay), NOW);
    expect(token.length).toBeLessThanOrEqual(MAX_RELAY_RECORD_CHARS);
    const record = await verifyRelayRecord(token, { nowMs: NOW, peer: relay.peer, zone: ZONE });
    expect(record.peer.text).toBe(relay.peer.text);
    expect(record.url).toBe(`https://ip4203-0-113-7.${ZONE}:8443`);
    expect(record.addresses).toEqual(['203.0.113.7']);
    expect(record.certificateSha256).toEqual(CERT);
    expect(record.expiresAt - record.issuedAt).toBe(3600);
  });

  it('refuses a tampered record (a claim changed under the same signature)', async () => {
    const relay = await newSigner();
    const token = await createRelayRecord(relay, contentFor(relay), NOW);
    const envelope = decodeCbor(b64u.decode(token)) as { payload: Uint8Array; sig: Uint8Array };
    const claims = decodeCbor(envelope.payload) as Record<string, unknown>;
    const evil = `https://${addressLabel('198.51.100.66')}.${ZONE}`;
    const payload = encodeCbor({ ...claims, url: evil });
    const tampered = b64u.encode(encodeCbor({ payload, sig: envelope.sig }));
    expect(await code(verifyRelayRecord(tampered, { nowMs: NOW }))).toBe(
      'ERR_NODETRUST_SIGNATURE_INVALID',
    );
    // a flipped signature byte too
    const sig = envelope.sig.slice();
    sig[0] = (sig[0] ?? 0) ^ 1;
    const flipped = b64u.encode(encodeCbor({ payload: envelope.payload, sig }));
    expect(await code(verifyRelayRecord(flipped, { nowMs: NOW }))).toBe(
      'ERR_NODETRUST_SIGNATURE_INVALID',
    );
  });

  it('refuses an expired record, and one from the future', async () => {
    const relay = await newSigner();
    const token = await createRelayRecord(relay, contentFor(relay), NOW, 600);
    expect(await code(verifyRelayRecord(token, { nowMs: NOW + 600_000 }))).toBe('resolved');
    expect(await code(verifyRelayRecord(token, { nowMs: NOW + 631_000 }))).toBe(
      'ERR_NODETRUST_RECORD_EXPIRED',
    );
    expect(await code(verifyRelayRecord(token, { nowMs: NOW - 31_000 }))).toBe(
      'ERR_NODETRUST_RECORD_EXPIRED',
    );
  });

  it('refuses a record signed by another relay than the one looked for', async () => {
    const relay = await newSigner();
    const other = await newSigner();
    const token = await createRelayRecord(other, contentFor(other), NOW);
    expect(await code(verifyRelayRecord(token, { nowMs: NOW, peer: relay.peer }))).toBe(
      'ERR_NODETRUST_RECORD_PEER',
    );
  });

  it('refuses a record whose names do not include its own peer name, or another zone', async () => {
    const relay = await newSigner();
    const other = await newSigner();
    const stolen = { ...contentFor(relay), names: contentFor(other).names };
    const token = await createRelayRecord(relay, stolen, NOW);
    expect(await code(verifyRelayRecord(token, { nowMs: NOW }))).toBe('ERR_NODETRUST_NAME_INVALID');
    const fine = await createRelayRecord(relay, contentFor(relay), NOW);
    expect(await code(verifyRelayRecord(fine, { nowMs: NOW, zone: 'other.test' }))).toBe(
      'ERR_NODETRUST_NAME_INVALID',
    );
    const plainHttp = { ...contentFor(relay), url: `http://${contentFor(relay).names[0]}` };
    expect(
      await code(verifyRelayRecord(await createRelayRecord(relay, plainHttp, NOW), { nowMs: NOW })),
    ).toBe('ERR_NODETRUST_NAME_INVALID');
  });

  it('refuses an oversized record before decoding it, and malformed input', async () => {
    const relay = await newSigner();
    const big = await signDocument(
      DOMAINS.relay,
      { typ: 'nodetrust-relay/1', sub: relay.peer.text, pad: utf8.encode('x'.repeat(1_000)) },
      relay,
    );
    expect(await code(verifyRelayRecord(big, { nowMs: NOW }))).toBe('ERR_TOO_LARGE');
    expect(await code(verifyRelayRecord('', { nowMs: NOW }))).toBe('ERR_NODETRUST_MALFORMED');
    expect(await code(verifyRelayRecord(42, { nowMs: NOW }))).toBe('ERR_NODETRUST_MALFORMED');
    expect(await code(verifyRelayRecord('AAAA', { nowMs: NOW }))).toBe('ERR_NODETRUST_MALFORMED');
    // a proof is not a relay record, even signed by the same key
    const proofish = await signDocument(DOMAINS.proof, { typ: 'nodetrust-relay/1' }, relay);
    expect(await code(verifyRelayRecord(proofish, { nowMs: NOW }))).toBe('ERR_NODETRUST_MALFORMED');
  });

  it('pins the certificate: another leaf is refused', async () => {
    const relay = await newSigner();
    const leaf = utf8.encode('the DER of a leaf certificate');
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const content = { ...contentFor(relay), certificateSha256: sha256(leaf) };
    const record = await verifyRelayRecord(await createRelayRecord(relay, content, NOW), {
      nowMs: NOW,
    });
    expect(() => checkRelayCertificate(record, leaf)).not.toThrow();
    let refused = '';
    try {
      checkRelayCertificate(record, utf8.encode('another certificate'));
    } catch (err) {
      refused = isDiscoError(err) ? err.code : 'other';
    }
    expect(refused).toBe('ERR_NODETRUST_RECORD_CERTIFICATE');
  });
});

describe('discoverRelay', () => {
  it('asks for _disco-relay.p<peer>.<zone>, joins TXT strings, returns the newest valid record', async () => {
    const relay = await newSigner();
    const older = await createRelayRecord(relay, contentFor(relay, '203.0.113.1'), NOW - 60_000);
    const newer = await createRelayRecord(relay, contentFor(relay, '203.0.113.2'), NOW);
    const asked: string[] = [];
    const chunks = (t: string) => t.match(/.{1,255}/g) ?? [];
    const record = await discoverRelay({
      peer: relay.peer.text,
      zone: ZONE,
      nowMs: NOW,
      resolveTxt: (name) => {
        asked.push(name);
        return Promise.resolve([chunks(older), ['garbage'], chunks(newer)]);
      },
    });
    expect(asked).toEqual([relayRecordName(relay.peer, ZONE)]);
    expect(asked[0]).toBe(`_disco-relay.${peerLabel(relay.peer)}.${ZONE}`);
    expect(record.addresses).toEqual(['203.0.113.2']);
  });

  it('ERR_NOT_FOUND when nothing is published, ERR_TRANSPORT_FAILED when DNS fails, else the record error', async () => {
    const relay = await newSigner();
    const fail = (c: string) => () => Promise.reject(Object.assign(new Error(c), { code: c }));
    const base = { peer: relay.peer, zone: ZONE, nowMs: NOW };
    expect(await code(discoverRelay({ ...base, resolveTxt: fail('ENOTFOUND') }))).toBe(
      'ERR_NOT_FOUND',
    );
    expect(await code(discoverRelay({ ...base, resolveTxt: fail('ECONNREFUSED') }))).toBe(
      'ERR_TRANSPORT_FAILED',
    );
    const other = await newSigner();
    const foreign = await createRelayRecord(other, contentFor(other), NOW);
    expect(
      await code(discoverRelay({ ...base, resolveTxt: () => Promise.resolve([[foreign]]) })),
    ).toBe('ERR_NODETRUST_RECORD_PEER');
  });
});
