import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningHaproxy {
  readonly url: string;
  readonly port: number;
  /** The configuration it runs with (for the docs and for debugging). */
  readonly config: string;
  /**
   * Soft stop (SIGUSR1): stops listening at once, lets open connections finish (WebSockets
   * until the relays close them), and exits within `hard-stop-after`.
   */
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  /** The public port on 127.0.0.1. */
  readonly port: number;
  /** `host:port` of each relay process. */
  readonly servers: readonly string[];
  /** Health check interval (default 500 ms); a server is out after two failed checks. */
  readonly checkIntervalMs?: number;
}

/**
 * The HAProxy configuration of a relay cluster (docs/wire/relay.md "Cluster"): HTTP mode
 * (WebSocket upgrades pass through, `timeout tunnel` keeps PeerJS sockets open between
 * heartbeats), `X-Forwarded-For` for the relays' rate limits (`trust proxy: loopback`), round
 * robin over servers checked with `GET /healthz` (a draining relay answers 503 and gets nothing
 * new; its open sockets stay until it closes them), long enough a server timeout for the 25 s
 * long-poll.
 */
export function haproxyConfig(o: HaproxyOptions): string {
  const inter = o.checkIntervalMs ?? 500;
  return [
    'global',
    '  hard-stop-after 10s',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 65s',
    '  timeout server 65s',
    '  timeout http-request 20s',
    '  timeout tunnel 1h',
    '  option forwardfor',
    'frontend disco',
    `  bind 127.0.0.1:${o.port}`,
    '  default_backend relays',
    'backend relays',
    '  balance roundrobin',
    '  option httpchk GET /healthz',
    '  http-check expect status 200',
    // a relay that stopped answering is out after two checks; a request that could not
    // connect is sent to another one
    `  default-server inter ${inter} fall 2 rise 1`,
    '  option redispatch',
    '  retries 2',
    ...o.servers.map((server, i) => `  server relay${i + 1} ${server} check`),
    '',
  ].join('\n');
}

function accepting(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });
}

/** Starts Debian's `haproxy` (2.6) in the foreground with {@link haproxyConfig}. */
export async function startHaproxy(o: HaproxyOptions): Promise<RunningHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'disco-haproxy-'));
  const config = haproxyConfig(o);
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const failed = new Promise<never>((_, fail) =>
    child.once('error', (err) => fail(new Error(`haproxy could not start: ${err.message}`))),
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${out}`);
    if (await Promise.race([accepting(o.port), failed])) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${o.port}`,
    port: o.port,
    config,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGUSR1');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 12_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
