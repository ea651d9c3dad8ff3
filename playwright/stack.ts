import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export interface Stack {
  app: string;
  relay: string;
  shop: string;
  courier: string;
  process: ChildProcess;
  /** Everything the process printed (JSON log lines included). */
  output: () => string;
  /** Kills the stack at once (SIGKILL to its whole process group: tsx runs the server as a child). */
  kill: () => void;
  stop: () => Promise<void>;
}

/** The ports a stack listens on, to start the next one on the same (a restart, as people see it). */
export function portsOf(stack: Stack): Record<'app' | 'relay' | 'shop' | 'courier', number> {
  const port = (url: string) => Number(new URL(url).port);
  return {
    app: port(stack.app),
    relay: port(stack.relay),
    shop: port(stack.shop),
    courier: port(stack.courier),
  };
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

/**
 * Starts `src/start/main.ts` — what `npm start` runs — as a real child process on free ports:
 * the device app, the relay and the demo shop and courier. `env` adds settings (for example
 * DISCO_RELAY_TAMPER=1). Resolves once it prints its URLs.
 */
export async function startStack(
  env: Record<string, string> = {},
  ports?: Partial<Record<'app' | 'relay' | 'shop' | 'courier', number>>,
): Promise<Stack> {
  // A port picked free can be taken before the stack binds it (an outgoing connection's source
  // port on a busy machine), and a restart's fixed ports a moment after the old stack died: then
  // try again, with other free ports where none were asked for.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, ports);
    } catch (err) {
      if (attempt === 3 || !String(err).includes('A port Disco needs is taken')) throw err;
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  }
}

async function startOnce(
  env: Record<string, string>,
  ports: Partial<Record<'app' | 'relay' | 'shop' | 'courier', number>> | undefined,
): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'disco-stack-'));
  const p = {
    app: ports?.app ?? (await freePort()),
    relay: ports?.relay ?? (await freePort()),
    shop: ports?.shop ?? (await freePort()),
    courier: ports?.courier ?? (await freePort()),
  };
  const child = spawn(
    process.execPath,
    [resolve('node_modules/tsx/dist/cli.mjs'), 'src/start/main.ts'],
    {
      env: {
        ...process.env,
        DISCO_APP_PORT: String(p.app),
        DISCO_RELAY_PORT: String(p.relay),
        DISCO_SHOP_PORT: String(p.shop),
        DISCO_COURIER_PORT: String(p.courier),
        DISCO_NOTES_PORT: String(await freePort()),
        DISCO_IDP_PORT: String(await freePort()),
        // each stack its own: several stacks run at once
        DISCO_RELAY_TLS_PORT: String(await freePort()),
        DISCO_DATA_DIR: dataDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that kill() reaches the server tsx starts as a child.
      detached: true,
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`the stack did not start:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('Disco is running.')) {
        clearTimeout(t);
        ok();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => fail(new Error(`the stack exited (${code}):\n${out}`)));
  }).catch(async (err: unknown) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    app: url(p.app),
    relay: url(p.relay),
    shop: url(p.shop),
    courier: url(p.courier),
    process: child,
    output: () => out,
    kill: () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      }
      // Whatever is left of the stack's process group goes too: coturn and pebble, or the server
      // tsx started when a busy machine let the grace time run out (they were left running).
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
