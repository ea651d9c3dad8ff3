import { describe, expect, it } from 'vitest';
import { b64u } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { decodeCbor, encodeCbor } from '../ic/cbor/index.js';
import { addressLabel, peerLabel } from './names.js';
import { createRelayRecord, relayRecordName } from './relay_record.js';
import {
  checkServedRelayRecord,
  isRecordFor,
  readServedRelayRecord,
  servedRecordUrl,
} from './relay_served_record.js';
import type { Signer } from './signed_document.js';
import { newSigner } from './testing.js';

const ZONE = 'nodetrust.disco.test';
const NOW = 1_780_000_000_000;
const IP_NAME = `${addressLabel('127.0.0.1')}.${ZONE}`;
const RELAY_URL = `https://${IP_NAME}:8716`;

/** What a relay at RELAY_URL answers at /.well-known/disco-relay. */
async function served(signer: Signer, url = RELAY_URL, nowMs = NOW, seconds = 3_600) {
  const record = await createRelayRecord(
    signer,
    {
      url,
      names: [IP_NAME, `${peerLabel(signer.peer)}.${ZONE}`],
      addresses: ['127.0.0.1'],
      certificateSha256: new Uint8Array(32).fill(1),
    },
    nowMs,
    seconds,
  );
  return { record, peer: signer.peer.text, recordName: relayRecordName(signer.peer, ZONE) };
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

describe("the relay's own copy of its record", () => {
  it('verifies for the URL the device uses, with or without a trailing slash', async () => {
    const relay = await newSigner();
    const body = await served(relay);
    for (const relayUrl of [RELAY_URL, `${RELAY_URL}/`, RELAY_URL.toUpperCase()]) {
      const record = await checkServedRelayRecord(body, { relayUrl, nowMs: NOW, zone: ZONE });
      expect(record.peer.text).toBe(relay.peer.text);
      expect(record.url).toBe(RELAY_URL);
    }
    expect(servedRecordUrl(`${RELAY_URL}/`)).toBe(`${RELAY_URL}/.well-known/disco-relay`);
  });

  it('refuses a tampered record', async () => {
    const relay = await newSigner();
    const body = await served(relay);
    const envelope = decodeCbor(b64u.decode(body.record)) as {
      payload: Uint8Array;
      sig: Uint8Array;
    };
    const claims = decodeCbor(envelope.payload) as Record<string, unknown>;
    const payload = encodeCbor({ ...claims, exp: (claims.exp as number) + 86_000 });
    const record = b64u.encode(encodeCbor({ payload, sig: envelope.sig }));
    expect(
      await code(checkServedRelayRecord({ ...body, record }, { relayUrl: RELAY_URL, nowMs: NOW })),
    ).toBe('ERR_NODETRUST_SIGNATURE_INVALID');
  });

  it('refuses an expired record', async () => {
    const body = await served(await newSigner(), RELAY_URL, NOW - 3_700_000);
    expect(await code(checkServedRelayRecord(body, { relayUrl: RELAY_URL, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_RECORD_EXPIRED',
    );
  });

  it("refuses another relay's record, served as if it were this relay's", async () => {
    const relay = await newSigner();
    const other = await newSigner();
    const body = { ...(await served(other)), peer: relay.peer.text };
    expect(await code(checkServedRelayRecord(body, { relayUrl: RELAY_URL, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_RECORD_PEER',
    );
  });

  it('refuses a valid record for another URL than the one the device uses', async () => {
    const body = await served(await newSigner(), `https://${IP_NAME}:9443`);
    for (const relayUrl of [RELAY_URL, 'http://127.0.0.1:8711', `http://${IP_NAME}:9443`, 'x']) {
      expect(await code(checkServedRelayRecord(body, { relayUrl, nowMs: NOW }))).toBe(
        'ERR_NODETRUST_RECORD_PEER',
      );
    }
    // read alone (the app says where the record points), it verifies
    const record = await readServedRelayRecord(body, { nowMs: NOW });
    expect(isRecordFor(record, `https://${IP_NAME}:9443/`)).toBe(true);
    expect(isRecordFor(record, RELAY_URL)).toBe(false);
    expect(isRecordFor(record, 'not a url')).toBe(false);
  });

  it('refuses a body of the wrong shape, and a record of another zone', async () => {
    const body = await served(await newSigner());
    const opts = { relayUrl: RELAY_URL, nowMs: NOW };
    for (const bad of [null, 'x', [], { record: body.record }, { ...body, peer: 'p'.repeat(81) }]) {
      expect(await code(checkServedRelayRecord(bad, opts))).toBe('ERR_NODETRUST_MALFORMED');
    }
    expect(await code(checkServedRelayRecord({ ...body, peer: 'nope' }, opts))).toBe(
      'ERR_NODETRUST_PEER_ID_INVALID',
    );
    expect(await code(checkServedRelayRecord(body, { ...opts, zone: 'other.test' }))).toBe(
      'ERR_NODETRUST_NAME_INVALID',
    );
  });
});
