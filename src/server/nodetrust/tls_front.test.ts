/**
 * The relay's TLS front on 127.0.0.1 with the real nodetrust parts (our DNS server, proof and issue
 * servers, Debian's pebble): a certificate for the `ip4127-0-0-1` name, HTTPS and WSS through it
 * with pebble's root trusted (and refused without it), and a renewal served to new connections.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
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

function get(ca?: string): Promise<{ body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${front.url}/healthz`,
      { lookup, ...(ca ? { ca } : {}), agent: false },
      (res) => {
        const serial = (res.socket as import('node:tls').TLSSocket).getPeerCertificate()
          .serialNumber;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ body, serial }));
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
});
