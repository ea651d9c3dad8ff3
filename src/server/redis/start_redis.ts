import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningRedis {
  url: string;
  port: number;
  /** Its working directory (the append-only file, for a restart on the same port). */
  dir: string;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. */
  stop: () => Promise<void>;
  /** Kills it at once, keeping its directory (for a restart on the same port); resolves once it is gone. */
  kill: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });
}

/**
 * Starts Debian's `redis-server` on 127.0.0.1 (a free port unless given), in a directory of its
 * own, with no persistence to disk unless `appendOnly` (used by the restart tests: a pairing
 * written before a restart survives it). For tests, `npm start -- --cluster` and nothing else.
 */
export async function startRedis(
  opts: { port?: number; dir?: string; appendOnly?: boolean } = {},
): Promise<RunningRedis> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'disco-redis-')));
  await mkdir(dir, { recursive: true });
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const failed = new Promise<never>((_, fail) =>
    child.once('error', (err) => fail(new Error(`redis-server could not start: ${err.message}`))),
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${out}`);
    if (await Promise.race([accepting(port), failed])) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGKILL');
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
