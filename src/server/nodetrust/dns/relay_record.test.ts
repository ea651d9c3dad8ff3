/**
 * A relay's discovery record end to end on 127.0.0.1: published over HTTP to the DNS server's
 * side, then read back with Debian's `dig` (UDP and TCP) and with Node's own resolver through
 * `discoverRelay`, as a device or company would; refusals by code.
 */
import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u } from '../../../protocol/encoding/index.js';
import { decodeCbor, encodeCbor } from '../../../protocol/ic/cbor/index.js';
import {
  addressLabel,
  createRelayRecord,
  discoverRelay,
  peerLabel,
  relayRecordName,
  verifyRelayRecord,
  type RelayRecordContent,
  type Signer,
} from '../../../protocol/nodetrust/index.js';
import { newSigner } from '../../../protocol/nodetrust/testing.js';
import { isDiscoError } from '../../../protocol/errors/index.js';
import { listen } from '../../listen.js';
import { createDns01App } from './dns01_app.js';
import { startDnsServer, type DnsServer } from './dns_server.js';
import { createRelayRecordApp } from './relay_record_app.js';

const run = promisify(execFile);
const ZONE = 'nt.disco.test';
const PATH = '/nodetrust/relay-record/1.0.0';

let dns: DnsServer;
let api: { url: string; close: () => Promise<void> };
let relay: Signer;

beforeAll(async () => {
  dns = await startDnsServer({ zone: ZONE });
  const app = express();
  app.use(createRelayRecordApp({ zone: ZONE, records: dns.relayRecords, perMinute: 0 }));
  app.use(
    createDns01App({
      zone: ZONE,
      token: 'test-token-0123456789abcdef',
      challenges: dns.challenges,
    }),
  );
  api = await listen(app, 0);
  relay = await newSigner();
});
afterAll(async () => {
  await dns?.close();
  await api?.close();
});

function content(signer: Signer, port = 8443): RelayRecordContent {
  const ipName = `${addressLabel('127.0.0.1')}.${ZONE}`;
  return {
    url: `https://${ipName}:${port}`,
    names: [ipName, `${peerLabel(signer.peer)}.${ZONE}`],
    addresses: ['127.0.0.1'],
    certificateSha256: new Uint8Array(32).fill(port % 256),
  };
}

async function publish(body: unknown): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${api.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { code?: string };
  return { status: response.status, ...(json.code ? { code: json.code } : {}) };
}

/** `dig TXT` against our server: status, flags, and each TXT record's strings joined. */
async function digTxt(name: string, ...extra: string[]) {
  const { stdout } = await run('dig', [
    `@${dns.host}`,
    '-p',
    String(dns.port),
    name,
    'TXT',
    '+tries=1',
    '+time=2',
    ...extra,
  ]);
  const start = stdout.indexOf(';; ANSWER SECTION:');
  const lines = start < 0 ? [] : stdout.slice(start).split('\n').slice(1);
  const answer = lines.slice(
    0,
    Math.max(
      0,
      lines.findIndex((l) => l.trim() === ''),
    ),
  );
  return {
    status: /status: (\w+)/.exec(stdout)?.[1],
    flags: (/;; flags: ([a-z ]+);/.exec(stdout)?.[1] ?? '').trim().split(' '),
    ttl: answer.map((l) => l.split(/\s+/)[1]),
    txt: answer.map((l) => [...l.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')),
  };
}

describe('relay discovery record in DNS', () => {
  it('published once, answered by dig over UDP and TCP, and verified from what dig printed', async () => {
    const token = await createRelayRecord(relay, content(relay), Date.now());
    expect(await publish({ record: token })).toEqual({ status: 200 });
    const name = relayRecordName(relay.peer, ZONE);
    for (const transport of ['+notcp', '+tcp']) {
      const answer = await digTxt(name, transport);
      expect(answer.status).toBe('NOERROR');
      expect(answer.flags).toContain('aa');
      expect(answer.ttl).toEqual(['60']);
      expect(answer.txt).toEqual([token]);
      const record = await verifyRelayRecord(answer.txt[0], {
        nowMs: Date.now(),
        peer: relay.peer,
        zone: ZONE,
      });
      expect(record.url).toBe(`https://ip4127-0-0-1.${ZONE}:8443`);
    }
    // a plain (non-EDNS) UDP query: the answer is over 512 bytes, so TC, and dig retries on TCP
    const plain = await digTxt(name, '+noedns');
    expect(plain.txt).toEqual([token]);
  });

  it("discoverRelay through Node's resolver pointed at our server finds the newest record", async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`${dns.host}:${dns.port}`]);
    const resolveTxt = (n: string) => resolver.resolveTxt(n);
    const newer = await createRelayRecord(relay, content(relay, 9443), Date.now() + 2_000);
    expect(await publish({ record: newer })).toEqual({ status: 200 });
    const found = await discoverRelay({
      peer: relay.peer,
      zone: ZONE,
      resolveTxt,
      nowMs: Date.now(),
    });
    expect(found.url).toBe(`https://ip4127-0-0-1.${ZONE}:9443`);
    // the same record for a browser over HTTP
    const viaHttp = (await (await fetch(`${api.url}${PATH}?peer=${relay.peer.text}`)).json()) as {
      record: string;
    };
    expect(viaHttp.record).toBe(newer);

    const stranger = await newSigner();
    let missing = '';
    try {
      await discoverRelay({ peer: stranger.peer, zone: ZONE, resolveTxt, nowMs: Date.now() });
    } catch (err) {
      missing = isDiscoError(err) ? err.code : String(err);
    }
    expect(missing).toBe('ERR_NOT_FOUND');
    expect((await digTxt(relayRecordName(stranger.peer, ZONE))).status).toBe('NXDOMAIN');
    expect((await fetch(`${api.url}${PATH}?peer=${stranger.peer.text}`)).status).toBe(404);
    expect((await fetch(`${api.url}${PATH}?peer=nope`)).status).toBe(400);
  });

  it('refuses an older record (no rollback), tampered, expired, another zone, oversized', async () => {
    const old = await createRelayRecord(relay, content(relay, 7443), Date.now() - 60_000);
    expect(await publish({ record: old })).toEqual({
      status: 409,
      code: 'ERR_NODETRUST_RECORD_STALE',
    });

    const fresh = await createRelayRecord(relay, content(relay, 7443), Date.now() + 5_000);
    const envelope = decodeCbor(b64u.decode(fresh)) as { payload: Uint8Array; sig: Uint8Array };
    const claims = decodeCbor(envelope.payload) as Record<string, unknown>;
    const forged = encodeCbor({
      ...claims,
      url: `https://ip4198-51-100-9.${ZONE}`,
      names: [`ip4198-51-100-9.${ZONE}`, `${peerLabel(relay.peer)}.${ZONE}`],
    });
    const tampered = b64u.encode(encodeCbor({ payload: forged, sig: envelope.sig }));
    expect(await publish({ record: tampered })).toEqual({
      status: 401,
      code: 'ERR_NODETRUST_SIGNATURE_INVALID',
    });

    const expired = await createRelayRecord(relay, content(relay), Date.now() - 7_200_000, 60);
    expect(await publish({ record: expired })).toEqual({
      status: 400,
      code: 'ERR_NODETRUST_RECORD_EXPIRED',
    });

    const elsewhere = await createRelayRecord(
      relay,
      {
        ...content(relay),
        url: 'https://ip4127-0-0-1.other.test',
        names: ['ip4127-0-0-1.other.test', `${peerLabel(relay.peer)}.other.test`],
      },
      Date.now(),
    );
    expect(await publish({ record: elsewhere })).toEqual({
      status: 400,
      code: 'ERR_NODETRUST_NAME_INVALID',
    });
    expect(await publish({ record: 'x'.repeat(1_500) })).toEqual({
      status: 413,
      code: 'ERR_TOO_LARGE',
    });
    expect(await publish({ record: 'x'.repeat(3_000) })).toEqual({
      status: 413,
      code: 'ERR_TOO_LARGE',
    });
    expect(await publish({ nothing: true })).toEqual({
      status: 400,
      code: 'ERR_NODETRUST_MALFORMED',
    });
    // nothing of that replaced the published record
    const answer = await digTxt(relayRecordName(relay.peer, ZONE));
    const record = await verifyRelayRecord(answer.txt[0], { nowMs: Date.now() + 5_000 });
    expect(record.url).toBe(`https://ip4127-0-0-1.${ZONE}:9443`);
  });

  it('leaves the dns-01 endpoint behind it as it was (still needs its token)', async () => {
    const response = await fetch(`${api.url}/nodetrust/dns-01/1.0.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('ERR_NODETRUST_UNAUTHORIZED');
  });
});
