/**
 * The relay's TLS front on 127.0.0.1 with the real nodetrust parts (our DNS server, proof and issue
 * servers, Debian's pebble): a certificate for the `ip4127-0-0-1` name, HTTPS and WSS through it
 * with pebble's root trusted (and refused without it), and a renewal served to new connections.
 */
import { promises as dnsPromises } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  checkRelayCertificate,
  discoverRelay,
  verifyRelayRecord,
} from '../../protocol/nodetrust/index.js';
import { discoverNodetrustRelay } from '../../sdk/node.js';
import { startNodetrust, type Nodetrust } from './start_nodetrust.js';
import { startTlsFront, type TlsFront } from './tls_front.js';

let nt: Nodetrust;
let root: string;
let backend: http.Server;
let wss: WebSocketServer;
let front: TlsFront;
// the ip4 name resolves through our DNS server only: the clients here go to 127.0.0.1 directly
const lookup = ((
  _host: string,
  opts: { all?: boolean },
  cb: (e: null, a: unknown, f?: number) => void,
) =>
  opts.all
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4)) as unknown as typeof import('node:dns').lookup;

beforeAll(async () => {
  nt = await startNodetrust({});
  root = await nt.ca.pebble!.rootCertificate();
  backend = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain').end(`relay saw ${req.url}`);
  });
  wss = new WebSocketServer({ server: backend });
  wss.on('connection', (ws) =>
    ws.on('message', (m) => ws.send(`echo ${(m as Buffer).toString()}`)),
  );
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  front = await startTlsFront({
    issueUrl: nt.issueUrl,
    target: { host: '127.0.0.1', port: (backend.address() as AddressInfo).port },
  });
}, 120_000);
afterAll(async () => {
  await front?.close();
  wss?.close();
  await new Promise((r) => backend?.close(r));
  await nt?.stop();
});

function get(ca?: string): Promise<{ body: string; serial: string; der: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${front.url}/healthz`,
      { lookup, ...(ca ? { ca } : {}), agent: false },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ body, serial: peer.serialNumber, der: peer.raw }));
      },
    );
    req.on('error', reject);
  });
}

describe('TLS front for a relay on a bare IP address', () => {
  it('gets a certificate for the ip4 name and serves HTTPS and WSS with it', async () => {
    expect(front.url).toBe(`https://ip4127-0-0-1.${nt.zone}:${front.port}`);
    expect(front.names()).toContain(`ip4127-0-0-1.${nt.zone}`);
    expect((await get(root)).body).toBe('relay saw /healthz');
    // without pebble's root the certificate is not trusted
    await expect(get()).rejects.toThrow(/certificate/i);

    const ws = new WebSocket(`${front.url.replace('https', 'wss')}/peerjs`, { ca: root, lookup });
    const answer = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => resolve((m as Buffer).toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(answer).toBe('echo hello');
  }, 60_000);

  it('serves a renewed certificate to new connections', async () => {
    const before = (await get(root)).serial;
    const chain = front.certificate();
    await front.renew();
    expect(front.certificate()).not.toBe(chain);
    const after = await get(root);
    expect(after.body).toBe('relay saw /healthz');
    expect(after.serial).not.toBe(before);
  }, 120_000);

  it('publishes a signed discovery record in DNS that pins the certificate it serves, again after renewal', async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 2 });
    resolver.setServers([`${nt.dns.host}:${nt.dns.port}`]);
    const discover = () =>
      discoverRelay({
        peer: front.peer,
        zone: nt.zone,
        nowMs: Date.now(),
        resolveTxt: (name) => resolver.resolveTxt(name),
      });
    const first = await discover();
    expect(front.recordName).toBe(`_disco-relay.${front.names().find((n) => n.startsWith('p'))}`);
    expect(first.url).toBe(front.url);
    expect(first.addresses).toEqual(['127.0.0.1']);
    // the certificate a TLS client (trusting the CA) gets is the one the record pins
    expect(() => checkRelayCertificate(first, new Uint8Array(0))).toThrow();
    const served = await get(root);
    checkRelayCertificate(first, served.der);

    await front.renew();
    const renewed = await get(root);
    expect(renewed.serial).not.toBe(served.serial);
    const second = await discover();
    checkRelayCertificate(second, renewed.der);
    let refused = '';
    try {
      checkRelayCertificate(second, served.der);
    } catch (err) {
      refused = (err as { code?: string }).code ?? '';
    }
    expect(refused).toBe('ERR_NODETRUST_RECORD_CERTIFICATE');
    expect((await verifyRelayRecord(front.record(), { nowMs: Date.now() })).url).toBe(front.url);

    // the SDK's one call: record from DNS, TLS handshake trusting the CA, pin checked
    const options = { peer: front.peer, zone: nt.zone, dnsServers: [`127.0.0.1:${nt.dns.port}`] };
    expect((await discoverNodetrustRelay({ ...options, ca: root })).url).toBe(front.url);
    let untrusted = '';
    try {
      await discoverNodetrustRelay(options); // Node's public roots do not include pebble's
    } catch (err) {
      untrusted = (err as { code?: string }).code ?? '';
    }
    expect(untrusted).toBe('ERR_TRANSPORT_FAILED');
  }, 120_000);

  it('keeps serving when its record cannot be published (the DNS side down)', async () => {
    const logged: string[] = [];
    const failing: typeof fetch = (input, init) =>
      (input instanceof Request ? input.url : input.toString()).includes('/relay-record/')
        ? Promise.reject(new TypeError('fetch failed'))
        : fetch(input, init);
    const other = await startTlsFront({
      issueUrl: nt.issueUrl,
      target: { host: '127.0.0.1', port: (backend.address() as AddressInfo).port },
      fetch: failing,
      log: (event) => logged.push(event),
    });
    try {
      expect(other.record()).toBeNull();
      expect(logged).toContain('nodetrust.record_failed');
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${other.url}/healthz`, { lookup, ca: root, agent: false }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('relay saw /healthz');
    } finally {
      await other.close();
    }
  }, 60_000);
});
