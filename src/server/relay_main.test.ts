import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function run(
  args: string[],
): Promise<{ out: string; kill: () => void; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [resolve('node_modules/tsx/dist/cli.mjs'), 'src/server/relay_main.ts', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no answer:\n${out}`)), 20_000);
    const seen = () => {
      if (/listening on|must be|Usage/.test(out)) {
        clearTimeout(t);
        ok({ out, kill: () => child.kill('SIGTERM'), exited });
      }
    };
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), seen()));
    child.stderr.on('data', (d: Buffer) => ((out += d.toString()), seen()));
  });
}

describe('npm run relay', () => {
  it('starts from flags, answers /healthz, and stops on SIGTERM', async () => {
    const r = await run(['--host', '127.0.0.1', '--port', '0']);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out)?.[1];
    expect(url).toBeDefined();
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    r.kill();
    expect(await r.exited).toBe(0);
  });

  it('refuses a bad port with a clear message', async () => {
    const r = await run(['--port', 'eighty']);
    expect(r.out).toContain('--port must be a port number');
    expect(await r.exited).toBe(2);
  });
});
