import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startRedis, type RunningRedis } from '../../redis/start_redis.js';
import { startHaproxy, type RunningHaproxy } from './start_haproxy.js';

/** One relay process of a cluster (`npm run relay` with DISCO_REDIS_URL). */
export interface RelayProcess {
  /** Where it listens itself (not through the balancer). */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed (its JSON log lines). */
  output(): string;
  /** Resolves when it has exited. */
  readonly exited: Promise<void>;
}

export interface RunningCluster {
  /** The one public URL: the balancer. */
  readonly url: string;
  readonly redis: RunningRedis;
  /** Kills Redis (SIGKILL) and starts it again on its port and directory after `downMs`. */
  restartRedis(downMs: number): Promise<void>;
  readonly relays: readonly RelayProcess[];
  readonly haproxy: RunningHaproxy;
  /** Balancer soft stop, relays drain and close (SIGTERM), then Redis. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Relay processes (default 3). */
  readonly relays?: number;
  /** The balancer's port on 127.0.0.1 (default: a free one). */
  readonly port?: number;
  /** More environment for the relays (DISCO_RELAY_*: TURN, rate limits…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Redis keeps an append-only file (pairings survive a Redis restart); default true. */
  readonly appendOnly?: boolean;
  /** How long a stopping relay answers 503 on /healthz before it closes (default 1500 ms). */
  readonly drainMs?: number;
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
 * The compiled relay (`npm run build:relay`, issue #13: production runs JavaScript, not tsx).
 * Run from dist-relay/ (a compiled `cluster_main.js`), it is the file next to this one; run from
 * the sources (tests, tsx), dist-relay/ is built first when missing or older than the sources.
 */
export function relayEntry(): string {
  const here = new URL(import.meta.url);
  if (here.pathname.includes('/dist-relay/')) return fileURLToPath(new URL('relay_main.js', here));
  const root = new URL('../../../../', here);
  const build = fileURLToPath(new URL('scripts/build_relay.mjs', root));
  execFileSync(process.execPath, [build, '--if-stale'], { stdio: 'inherit' });
  return fileURLToPath(new URL('dist-relay/relay_main.js', root));
}

/**
 * Starts the compiled relay (as `npm run relay` does) and waits for its URL. `nodeArgs` go to
 * Node before the script (the bench's `--expose-gc`).
 */
export function startRelayProcess(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    // node itself, not through npm: a signal sent to `child` reaches the relay itself
    [...nodeArgs, relayEntry(), '--host', '127.0.0.1', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let out = '';
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`relay did not start:\n${out}`));
    }, 30_000);
    const seen = () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      ok({ url, child, output: () => out, exited });
    };
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), seen()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`relay exited:\n${out}`));
    });
  });
}

async function stopProcess(p: RelayProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

/**
 * A relay cluster on 127.0.0.1 (issue #14, docs/wire/relay.md "Cluster"): Debian's
 * redis-server, `relays` relay processes sharing it (DISCO_REDIS_URL), each with the
 * balancer's URL as its public URL and `trust proxy: loopback`, and HAProxy in front.
 * For `npm run relay:cluster` and the cluster test.
 */
export async function startCluster(o: ClusterOptions = {}): Promise<RunningCluster> {
  const n = o.relays ?? 3;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError('relays must be 1 to 64');
  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const appendOnly = o.appendOnly ?? true;
  let redis = await startRedis({ appendOnly });
  const redisDir = redis.dir;
  const relays: RelayProcess[] = [];
  try {
    const env = {
      ...o.env,
      DISCO_REDIS_URL: redis.url,
      DISCO_RELAY_PUBLIC_URL: url,
      DISCO_RELAY_TRUST_PROXY: 'loopback',
      DISCO_RELAY_DRAIN_MS: String(o.drainMs ?? 1500),
    };
    relays.push(...(await Promise.all(Array.from({ length: n }, () => startRelayProcess(env)))));
    const haproxy = await startHaproxy({
      port,
      servers: relays.map((r) => new URL(r.url).host),
    });
    return {
      url,
      get redis() {
        return redis;
      },
      async restartRedis(downMs) {
        await redis.kill();
        await new Promise((r) => setTimeout(r, downMs));
        redis = await startRedis({ port: redis.port, dir: redisDir, appendOnly });
      },
      relays,
      haproxy,
      async stop() {
        await Promise.all([haproxy.stop(), ...relays.map(stopProcess)]);
        await redis.stop();
        await rm(redisDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(relays.map(stopProcess));
    await redis.stop();
    throw err;
  }
}
