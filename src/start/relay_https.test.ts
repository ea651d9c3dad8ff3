/**
 * `npm start`'s relay HTTPS front (src/start/relay_https.ts) with the real nodetrust parts
 * (our DNS server, proof and issue servers, Debian's pebble) and a real relay on 127.0.0.1: the
 * front answers with a pebble-issued certificate for `ip4127-0-0-1.<zone>` that a Node TLS client
 * trusting pebble's root accepts, the relay serves the front's signed record at
 * /.well-known/disco-relay (through the front too) and it checks for the front's URL; without
 * nodetrust, or with an issue server that does not answer, there is no front and a line says why.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServedRelayRecord } from '../protocol/nodetrust/index.js';
import { startNodetrust, type Nodetrust } from '../server/nodetrust/start_nodetrust.js';
import { startTestRelay } from '../server/relay/testing.js';
import { startRelayHttps, type RelayHttps } from './relay_https.js';

let nt: Nodetrust;
let root: string;
let dir: string;
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let https: RelayHttps;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disco-relay-https-'));
  nt = await startNodetrust({});
  root = await nt.ca.pebble!.rootCertificate();
  // as src/start/main.ts does: the relay reads the front's record, made once the relay listens
  relay = await startTestRelay({ discoveryRecord: () => https?.served() ?? null });
  https = await startRelayHttps({
    nodetrust: nt,
    target: { host: '127.0.0.1', port: Number(new URL(relay.url).port) },
    port: 0,
    keyFile: join(dir, 'nodetrust', 'relay.key'),
  });
}, 120_000);
afterAll(async () => {
  await https?.close();
  await relay?.close();
  await nt?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A TLS handshake with the front on 127.0.0.1, server name the URL's, pebble's root only. */
function handshake(serverName: string, port: number, ca: string) {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: serverName, ca }, () =>
      resolve(socket),
    );
    socket.once('error', reject);
  });
}

/** GET over that handshake (HTTP/1.1 by hand: the name resolves through our DNS server only). */
async function get(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(https.front!.url);
  const socket = await handshake(url.hostname, Number(url.port), root);
  socket.write(`GET ${path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n\r\n`);
  let raw = '';
  for await (const chunk of socket) raw += (chunk as Buffer).toString();
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body };
}

describe("npm start's relay HTTPS front", () => {
  it('serves HTTPS on 127.0.0.1 with a certificate pebble issued for its ip4 name', async () => {
    const front = https.front!;
    expect(front.url).toBe(`https://ip4127-0-0-1.${nt.zone}:${front.port}`);
    expect(https.lines).toContain(`Relay (HTTPS)   ${front.url}   certificate by Pebble`);
    expect(https.lines).toContain(`--host-resolver-rules="MAP *.${nt.zone} 127.0.0.1"`);
    const socket = await handshake(`ip4127-0-0-1.${nt.zone}`, front.port, root);
    const peer = socket.getPeerCertificate();
    socket.destroy();
    expect(peer.subjectaltname).toContain(`DNS:ip4127-0-0-1.${nt.zone}`);
    expect(peer.issuer.CN).toMatch(/^Pebble Intermediate CA/);
    // another root (Node's own) does not trust it
    await expect(
      handshake(`ip4127-0-0-1.${nt.zone}`, front.port, tls.rootCertificates.join('\n')),
    ).rejects.toThrow();
    const health = await get('/healthz');
    expect(health.status).toBe(200);
  });

  it("serves the relay's signed record, which checks for the front's URL", async () => {
    const res = await get('/.well-known/disco-relay');
    expect(res.status).toBe(200);
    const record = await checkServedRelayRecord(JSON.parse(res.body), {
      relayUrl: https.front!.url,
      nowMs: Date.now(),
      zone: nt.zone,
    });
    expect(record.peer.text).toBe(https.front!.peer);
    // the plain http relay serves the same copy
    const plain = (await (await fetch(`${relay.url}/.well-known/disco-relay`)).json()) as {
      record: string;
    };
    expect(plain.record).toBe(https.front!.record());
  });

  it('says why there is no front when nodetrust is off or the issue server does not answer', async () => {
    const off = await startRelayHttps({
      nodetrust: undefined,
      target: { host: '127.0.0.1', port: 1 },
      port: 0,
      keyFile: join(dir, 'k1'),
    });
    expect(off.front).toBeNull();
    expect(off.lines).toMatch(/Relay \(HTTPS\) +none \(nodetrust is not running\)/);
    const broken = await startRelayHttps({
      nodetrust: { ...nt, issueUrl: 'http://127.0.0.1:1' },
      target: { host: '127.0.0.1', port: 1 },
      port: 0,
      keyFile: join(dir, 'k2'),
    });
    expect(broken.front).toBeNull();
    expect(broken.lines).toMatch(/Relay \(HTTPS\) +none \(no certificate: /);
    expect(broken.served()).toBeNull();
  });
});
