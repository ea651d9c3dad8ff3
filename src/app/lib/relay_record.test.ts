import { describe, expect, it } from 'vitest';
import { b64u } from '../../protocol/encoding/index.js';
import { decodeCbor, encodeCbor } from '../../protocol/ic/cbor/index.js';
import { addressLabel, peerLabel } from '../../protocol/nodetrust/names.js';
import { createRelayRecord } from '../../protocol/nodetrust/relay_record.js';
import type { Signer } from '../../protocol/nodetrust/signed_document.js';
import { newSigner } from '../../protocol/nodetrust/testing.js';
import { checkRelayRecord } from './relay_record.js';

const ZONE = 'nodetrust.disco.test';
const NOW = 1_780_000_000_000;
const IP_NAME = `${addressLabel('127.0.0.1')}.${ZONE}`;
const RELAY_URL = `https://${IP_NAME}:8716`;

async function body(signer: Signer, url = RELAY_URL, nowMs = NOW) {
  const record = await createRelayRecord(
    signer,
    {
      url,
      names: [IP_NAME, `${peerLabel(signer.peer)}.${ZONE}`],
      addresses: ['127.0.0.1'],
      certificateSha256: new Uint8Array(32),
    },
    nowMs,
  );
  return { record, peer: signer.peer.text, recordName: 'x' };
}

/** A relay that answers `answer` at /.well-known/disco-relay, and records what was asked. */
function relayAnswering(answer: () => Response) {
  const asked: string[] = [];
  const fetchFn = ((input: string) => {
    asked.push(input);
    return Promise.resolve(answer());
  }) as typeof fetch;
  return { asked, fetchFn };
}

const check = (fetchFn: typeof fetch, relayUrl = RELAY_URL) =>
  checkRelayRecord(relayUrl, { fetch: fetchFn, now: () => NOW });

describe("Settings' check of the relay's signed record", () => {
  it("verifies the relay's own record for the URL the app uses", async () => {
    const relay = await newSigner();
    const served = await body(relay);
    const { asked, fetchFn } = relayAnswering(() => Response.json(served));
    const result = await check(fetchFn, `${RELAY_URL}/`);
    expect(asked).toEqual([`${RELAY_URL}/.well-known/disco-relay`]);
    expect(result).toEqual({
      kind: 'verified',
      name: IP_NAME,
      peer: relay.peer.text,
      expiresAt: NOW + 3_600_000,
      checkedAt: NOW,
    });
  });

  it('warns about a tampered record', async () => {
    const served = await body(await newSigner());
    // the expiry pushed out under the same signature
    const envelope = decodeCbor(b64u.decode(served.record)) as {
      payload: Uint8Array;
      sig: Uint8Array;
    };
    const claims = decodeCbor(envelope.payload) as Record<string, unknown>;
    const payload = encodeCbor({ ...claims, exp: (claims.exp as number) + 60_000 });
    const tampered = { ...served, record: b64u.encode(encodeCbor({ payload, sig: envelope.sig })) };
    const { fetchFn } = relayAnswering(() => Response.json(tampered));
    expect(await check(fetchFn)).toMatchObject({ kind: 'invalid', reason: /signature/ });
  });

  it('warns about an expired record', async () => {
    const served = await body(await newSigner(), RELAY_URL, NOW - 2 * 3_600_000);
    const { fetchFn } = relayAnswering(() => Response.json(served));
    expect(await check(fetchFn)).toMatchObject({ kind: 'invalid', reason: /out of date/ });
  });

  it("warns about another relay's record", async () => {
    const served = { ...(await body(await newSigner())), peer: (await newSigner()).peer.text };
    const { fetchFn } = relayAnswering(() => Response.json(served));
    expect(await check(fetchFn)).toMatchObject({ kind: 'invalid', reason: /another relay/ });
  });

  it('warns when the record is for another address than the one the app uses', async () => {
    const served = await body(await newSigner());
    const { fetchFn } = relayAnswering(() => Response.json(served));
    const result = await check(fetchFn, 'http://127.0.0.1:8711');
    expect(result).toMatchObject({ kind: 'invalid' });
    expect(result.kind === 'invalid' && result.reason).toContain(`it is for ${RELAY_URL}`);
  });

  it('says so when there is no record, the relay fails, or the answer is garbage', async () => {
    expect(await check(relayAnswering(() => new Response('', { status: 404 })).fetchFn)).toEqual({
      kind: 'none',
      checkedAt: NOW,
    });
    expect(
      (await check(relayAnswering(() => new Response('', { status: 503 })).fetchFn)).kind,
    ).toBe('unreachable');
    const throwing = (() => Promise.reject(new TypeError('offline'))) as typeof fetch;
    expect((await check(throwing)).kind).toBe('unreachable');
    for (const garbage of ['{', 'x'.repeat(5_000), '{"record":1,"peer":"p"}']) {
      const { fetchFn } = relayAnswering(() => new Response(garbage));
      expect(await check(fetchFn)).toMatchObject({ kind: 'invalid', reason: /cannot be read/ });
    }
  });
});
