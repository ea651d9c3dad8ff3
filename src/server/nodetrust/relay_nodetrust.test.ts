/**
 * `npm run relay -- --nodetrust <issue server>` as a real process against the real nodetrust
 * parts (our DNS server, proof and issue servers, pebble): the relay's public URL becomes its
 * `https://ip4127-0-0-1.<zone>:<tls port>`, and /healthz answers there with pebble's root trusted.
 */
import { spawn } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import https from 'node:https';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  checkServedRelayRecord,
  discoverRelay,
  peerIdOfKey,
} from '../../protocol/nodetrust/index.js';
import { loadOrCreateIdentity } from './identity_file.js';
import { startNodetrust, type Nodetrust } from './start_nodetrust.js';

let nt: Nodetrust;
beforeAll(async () => {
  nt = await startNodetrust({});
}, 60_000);
afterAll(() => nt?.stop());

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
const lookup = ((
  _host: string,
  opts: { all?: boolean },
  cb: (e: null, a: unknown, f?: number) => void,
) =>
  opts.all
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4)) as unknown as typeof import('node:dns').lookup;

it('serves HTTPS with its own nodetrust certificate, which becomes its public URL, and publishes its discovery record', async () => {
  const keyFile = join(await mkdtemp(join(tmpdir(), 'disco-relay-key-')), 'relay.key');
  const child = spawn(
    process.execPath,
    [
      resolve('node_modules/tsx/dist/cli.mjs'),
      'src/server/relay_main.ts',
      '--port',
      String(await freePort()),
      '--nodetrust',
      nt.issueUrl,
      '--nodetrust-key',
      keyFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  try {
    let out = '';
    const publicUrl = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no answer:\n${out}`)), 60_000);
      const seen = (d: Buffer) => {
        out += d.toString();
        const url = /public URL (https:\/\/[^ )]+)/.exec(out)?.[1];
        if (url && /Nodetrust peer/.test(out)) {
          clearTimeout(t);
          ok(url);
        }
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
    });
    expect(publicUrl).toMatch(new RegExp(`^https://ip4127-0-0-1\\.${nt.zone}:\\d+$`));
    const root = await nt.ca.pebble!.rootCertificate();
    const health = await new Promise<string>((ok, fail) => {
      https
        .get(`${publicUrl}/healthz`, { ca: root, lookup, agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => ok(body));
        })
        .on('error', fail);
    });
    expect(JSON.parse(health)).toMatchObject({ ok: true });

    // the peer id is the key file's (kept across restarts), and its record is found through DNS
    const peer = /Nodetrust peer (\S+), discovery record TXT (\S+)/.exec(out);
    const identity = await loadOrCreateIdentity(keyFile);
    expect(peer?.[1]).toBe((await peerIdOfKey(identity.publicKey)).text);
    const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 2 });
    resolver.setServers([`${nt.dns.host}:${nt.dns.port}`]);
    const record = await discoverRelay({
      peer: peer?.[1] ?? '',
      zone: nt.zone,
      nowMs: Date.now(),
      resolveTxt: (name) => resolver.resolveTxt(name),
    });
    expect(record.url).toBe(publicUrl);
    // and it serves the same record itself, for browsers, which cannot ask DNS for TXT
    const served = await new Promise<string>((ok, fail) => {
      https
        .get(`${publicUrl}/.well-known/disco-relay`, { ca: root, lookup, agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => ok(body));
        })
        .on('error', fail);
    });
    const own = await checkServedRelayRecord(JSON.parse(served), {
      relayUrl: publicUrl,
      nowMs: Date.now(),
      zone: nt.zone,
    });
    expect(own.peer.text).toBe(peer?.[1]);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 90_000);
