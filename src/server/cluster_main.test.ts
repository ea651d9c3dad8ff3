import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
const accepting = (port: number) =>
  new Promise<boolean>((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });

describe('npm run relay:cluster', () => {
  it('prints the one public URL, serves through it, and stops everything on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('src/server/cluster_main.ts'),
        '--relays',
        '2',
        '--port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL:\n${out}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /cluster \(2 processes behind HAProxy\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(
          out,
        );
        if (found) {
          clearTimeout(timer);
          ok(found[1]!);
        }
      });
    });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const relays = [...out.matchAll(/relay process http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(relays).toHaveLength(2);
    const health = await fetch(`${url}/healthz`);
    expect([health.status, ((await health.json()) as { ok: boolean }).ok]).toEqual([200, true]);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // the balancer and both relays are gone
    for (const p of [port, ...relays]) expect(await accepting(p)).toBe(false);
  }, 90_000);
});
