/**
 * `npm run relay -- --nodetrust <issue server>` as a real process against the real nodetrust
 * parts (our DNS server, proof and issue servers, pebble): the relay's public URL becomes its
 * `https://ip4127-0-0-1.<zone>:<tls port>`, and /healthz answers there with pebble's root trusted.
 */
import { spawn } from 'node:child_process';
import https from 'node:https';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

it('serves HTTPS with its own nodetrust certificate, which becomes its public URL', async () => {
  const child = spawn(
    process.execPath,
    [
      resolve('node_modules/tsx/dist/cli.mjs'),
      'src/server/relay_main.ts',
      '--port',
      String(await freePort()),
      '--nodetrust',
      nt.issueUrl,
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
        if (url) {
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
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 90_000);
