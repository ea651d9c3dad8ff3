/**
 * The DNS server against Debian's `dig` (dnsutils), as any resolver would query it, on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerIdOfEd25519, peerLabel } from '../../../protocol/nodetrust/index.js';
import { listen } from '../../listen.js';
import { createChallengeStore } from './challenge_store.js';
import { createDns01App } from './dns01_app.js';
import { startDnsServer, type DnsServer } from './dns_server.js';
import { handlePacket } from './handle_packet.js';
import type { ZoneConfig } from './answer.js';

const run = promisify(execFile);
const ZONE = 'nt.disco.test';
const TOKEN = 'test-token-0123456789abcdef';
const peer = peerIdOfEd25519(new Uint8Array(32).fill(9));
const P_NAME = `${peerLabel(peer)}.${ZONE}`;
const CHALLENGE = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';

let dns: DnsServer;
let api: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  dns = await startDnsServer({ zone: ZONE });
  api = await listen(createDns01App({ zone: ZONE, token: TOKEN, challenges: dns.challenges }), 0);
});
afterAll(async () => {
  await dns.close();
  await api.close();
});

interface Dig {
  status: string;
  flags: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
}

async function dig(name: string, type: string, ...extra: string[]): Promise<Dig> {
  const { stdout } = await run('dig', [
    `@${dns.host}`,
    '-p',
    String(dns.port),
    name,
    type,
    '+tries=1',
    '+time=2',
    ...extra,
  ]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'none';
  const flags = (/;; flags: ([a-z ]+);/.exec(stdout)?.[1] ?? '').trim().split(' ');
  const section = (title: string) => {
    const start = stdout.indexOf(`;; ${title} SECTION:`);
    if (start < 0) return [];
    const body = stdout.slice(start).split('\n').slice(1);
    const end = body.findIndex((line) => line.trim() === '');
    return body.slice(0, end).map((line) => line.split(/\s+/));
  };
  return {
    status,
    flags,
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    additional: section('ADDITIONAL'),
  };
}

async function dns01(body: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${api.url}/nodetrust/dns-01/1.0.0`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { code?: string } };
}

describe('DNS server, with dig', () => {
  it('SOA and NS at the apex, authoritative, with glue', async () => {
    const soa = await dig(ZONE, 'SOA');
    expect(soa.status).toBe('NOERROR');
    expect(soa.flags).toContain('aa');
    expect(soa.answer[0]?.slice(1, 5)).toEqual(['86400', 'IN', 'SOA', `ns.${ZONE}.`]);
    expect(soa.answer[0]?.at(-1)).toBe('60'); // negative-caching TTL (RFC 2308)
    const ns = await dig(ZONE, 'NS');
    expect(ns.answer.map((r) => r.slice(3))).toEqual([['NS', `ns.${ZONE}.`]]);
    expect(
      ns.additional.some((r) => r[0] === `ns.${ZONE}.` && r[3] === 'A' && r[4] === '127.0.0.1'),
    ).toBe(true);
  });

  it('A for ip4 names, AAAA for ip6 names (the seed examples), TXT id= for p names', async () => {
    const a = await dig(`ip4127-0-0-1.${ZONE}`, 'A');
    expect(a.answer).toEqual([[`ip4127-0-0-1.${ZONE}.`, '86400', 'IN', 'A', '127.0.0.1']]);
    const aaaa = await dig(`ip6--1.${ZONE}`, 'AAAA');
    expect(aaaa.answer).toEqual([[`ip6--1.${ZONE}.`, '86400', 'IN', 'AAAA', '::1']]);
    const txt = await dig(P_NAME, 'TXT');
    expect(txt.answer).toEqual([[`${P_NAME}.`, '86400', 'IN', 'TXT', `"id=${peer.text}"`]]);
  });

  it('answers over TCP too, and keeps the case of the question (0x20)', async () => {
    const a = await dig(`IP4192-0-2-1.Nt.Disco.Test`, 'A', '+tcp');
    expect(a.status).toBe('NOERROR');
    expect(a.answer).toEqual([[`IP4192-0-2-1.Nt.Disco.Test.`, '86400', 'IN', 'A', '192.0.2.1']]);
  });

  it('NODATA for a type the name lacks, NXDOMAIN for a bad label, REFUSED outside the zone', async () => {
    const nodata = await dig(`ip4127-0-0-1.${ZONE}`, 'AAAA');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority[0]?.slice(1, 4)).toEqual(['60', 'IN', 'SOA']);
    for (const bad of [
      `ip4999-0-0-1.${ZONE}`,
      `ip4127-00-0-1.${ZONE}`,
      `www.${ZONE}`,
      `a.${P_NAME}`,
    ]) {
      const nx = await dig(bad, 'A');
      expect(nx.status, bad).toBe('NXDOMAIN');
      expect(nx.flags).toContain('aa');
      expect(nx.authority[0]?.slice(1, 4)).toEqual(['60', 'IN', 'SOA']);
    }
    const outside = await dig('example.com', 'A');
    expect(outside.status).toBe('REFUSED');
    expect(outside.flags).not.toContain('aa');
    expect((await dig('version.bind', 'TXT', 'CH')).status).toBe('REFUSED');
  });

  it('_acme-challenge TXT only through the authenticated dns-01 endpoint', async () => {
    const name = `_acme-challenge.${P_NAME}`;
    expect((await dig(name, 'TXT')).status).toBe('NXDOMAIN');
    const body = { action: 'set', name, value: CHALLENGE };
    expect(await dns01(body, null)).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'ERR_NODETRUST_UNAUTHORIZED' }),
    });
    expect((await dns01(body, 'wrong-token-0123456789')).body.code).toBe(
      'ERR_NODETRUST_UNAUTHORIZED',
    );
    expect((await dig(name, 'TXT')).status).toBe('NXDOMAIN');
    expect((await dns01({ ...body, name: `_acme-challenge.example.com` })).body.code).toBe(
      'ERR_NODETRUST_NAME_INVALID',
    );
    expect((await dns01({ ...body, name: P_NAME })).body.code).toBe('ERR_NODETRUST_NAME_INVALID');
    expect((await dns01({ ...body, value: 'short' })).body.code).toBe('ERR_NODETRUST_MALFORMED');
    expect(await dns01(body)).toEqual({ status: 200, body: { ok: true } });
    const txt = await dig(name, 'TXT');
    expect(txt.answer).toEqual([[`${name}.`, '60', 'IN', 'TXT', `"${CHALLENGE}"`]]);
    expect((await dns01({ ...body, action: 'remove' })).status).toBe(200);
    expect((await dig(name, 'TXT')).status).toBe('NXDOMAIN');
  });
});

describe('DNS server, hostile input', () => {
  const config: ZoneConfig = {
    zone: ZONE,
    nameServers: [{ label: 'ns', address: '127.0.0.1' }],
    ttl: { records: 86_400, challenge: 60, negative: 60 },
    serial: 1,
  };
  const store = createChallengeStore();
  const query = (name: string, type: dnsPacket.RecordType = 'A') =>
    dnsPacket.encode({
      id: 4242,
      type: 'query',
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type }],
    });
  const rcodeOf = (reply: Buffer | null) => (reply ? reply.readUInt16BE(2) & 0xf : null);

  it('answers truncated queries FORMERR, drops headers and responses, never throws', () => {
    const full = query(`ip4127-0-0-1.${ZONE}`);
    for (let cut = 0; cut < full.length; cut++) {
      const reply = handlePacket(full.subarray(0, cut), config, store, 'udp');
      if (cut < 12) expect(reply).toBeNull();
      else {
        expect(rcodeOf(reply), `cut at ${cut}`).toBe(1);
        expect(reply?.readUInt16BE(0)).toBe(4242);
      }
    }
    const response = Buffer.from(full);
    response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
    expect(handlePacket(response, config, store, 'udp')).toBeNull();
    const notify = Buffer.from(full);
    notify.writeUInt16BE((4 << 11) | 0x0100, 2); // opcode NOTIFY
    expect(rcodeOf(handlePacket(notify, config, store, 'udp'))).toBe(4); // NOTIMP
    // One label `ip4127-0-0-1.nt.disco.test` (dots inside it) would read as our name once joined.
    const label = Buffer.from(`ip4127-0-0-1.${ZONE}`);
    const dotted = Buffer.concat([
      full.subarray(0, 12),
      Buffer.of(label.length),
      label,
      Buffer.of(0, 0, 1, 0, 1),
    ]);
    expect(rcodeOf(handlePacket(dotted, config, store, 'udp'))).toBe(5); // REFUSED
  });

  it('survives random and mutated packets (seeded fuzz), in process', () => {
    const base = query(`ip6--1.${ZONE}`, 'AAAA');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc
            .tuple(
              fc.nat(base.length),
              fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
                maxLength: 6,
              }),
            )
            .map(([cut, flips]) => {
              const bytes = Uint8Array.from(base);
              for (const [at, value] of flips) bytes[at] = value;
              return bytes.subarray(0, cut);
            }),
        ),
        (bytes) => {
          const reply = handlePacket(Buffer.from(bytes), config, store, 'udp');
          if (reply) {
            expect(reply.length).toBeGreaterThanOrEqual(12);
            expect(reply.readUInt16BE(0)).toBe(Buffer.from(bytes).readUInt16BE(0));
            expect(reply.readUInt16BE(2) & 0x8000).toBe(0x8000);
          }
        },
      ),
      { seed: 20261203, numRuns: 3000 },
    );
  });

  it('still answers dig after fuzz over UDP and TCP', async () => {
    const samples = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 300 }), {
      seed: 7,
      numRuns: 300,
    });
    const udp = dgram.createSocket('udp4');
    for (const bytes of samples) udp.send(bytes, dns.port, dns.host);
    const truncated = query(`ip4127-0-0-1.${ZONE}`).subarray(0, 20);
    udp.send(truncated, dns.port, dns.host);
    await new Promise((resolve) => setTimeout(resolve, 200));
    udp.close();
    for (const bytes of samples.slice(0, 20)) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(dns.port, dns.host, () => {
          const head = Buffer.alloc(2);
          head.writeUInt16BE(bytes.length + 3); // claims more than it sends
          socket.end(Buffer.concat([head, bytes]));
        });
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.resume();
      });
    }
    const a = await dig(`ip4127-0-0-1.${ZONE}`, 'A');
    expect(a.answer[0]?.at(-1)).toBe('127.0.0.1');
    const tcp = await dig(`ip4127-0-0-1.${ZONE}`, 'A', '+tcp');
    expect(tcp.answer[0]?.at(-1)).toBe('127.0.0.1');
  });
});
