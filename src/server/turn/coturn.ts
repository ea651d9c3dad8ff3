import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { coturnConfigText, localCoturnSettings } from './coturn_options.js';
import { stunAnswers } from './stun_probe.js';

/** A TURN server this process started, and how to hand out credentials for it. */
export interface LocalTurnServer {
  /** `turn:` URLs for clients (UDP and TCP). */
  readonly urls: string[];
  /** The shared secret of coturn's REST-API credentials (`use-auth-secret`); never log it. */
  readonly secret: string;
  readonly port: number;
  /** Its turnserver.conf (mode 0600, removed by `close`). */
  readonly configFile: string;
  /** The server's last log lines (at most 200): what it refused and why. */
  log(): string[];
  /** Stops the server and removes its working directory. */
  close(): Promise<void>;
}

export interface StartCoturnOptions {
  /** Listening and relay address; default 127.0.0.1. */
  host?: string;
  /** UDP/TCP listening port; default a free one. */
  port?: number;
  /** The `turnserver` binary; default the first on PATH, else /usr/bin/turnserver. */
  binary?: string;
  /** How long to wait for the server to answer STUN; default 10 s. */
  readyTimeoutMs?: number;
  /**
   * Relay to loopback peers: default (and allowed only) when `host` is a loopback address, the
   * development and test case; `false` gives the production configuration on loopback.
   */
  allowLoopbackPeers?: boolean;
  /** Allocations per client address; default 128, or `totalQuota` with loopback peers. */
  userQuota?: number;
  /** Allocations in total; default 8192. */
  totalQuota?: number;
  /** How a free port is chosen when `port` is not given (tests replace it). */
  pickPort?: (host: string) => Promise<number>;
}

/** The `turnserver` binary of Debian's coturn package, if installed. */
export function findTurnserver(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin']) {
    const file = join(dir, 'turnserver');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** A UDP port free on `host` now (the kernel's choice). */
function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Whether a TCP listener can bind `port` on `host` now. */
function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A port free on `host` for UDP and for TCP at once: coturn listens on both (and TLS on TCP),
 * and a port the kernel gave as free for UDP can be taken for TCP (a busy machine's outgoing
 * connection, another server).
 */
async function freeListenPort(host: string): Promise<number> {
  for (let i = 0; ; i++) {
    const port = await freeUdpPort(host);
    if (i === 19 || (await tcpFree(host, port))) return port;
  }
}

/** coturn's log when it could not bind its listening port (errno 98). */
const portTaken = (log: readonly string[]) =>
  log.some((line) => /Address already in use|errno=98/.test(line));

/**
 * Starts Debian's coturn (`turnserver`) on `host` with `localCoturnSettings` (REST-API
 * credentials from a random secret kept in a 0600 file, not on the command line where `ps` shows
 * it) and resolves once it answers a STUN Binding request. Rejects with the server's last log
 * lines if it exits or stays silent.
 */
export async function startCoturn(options: StartCoturnOptions = {}): Promise<LocalTurnServer> {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? findTurnserver();
  if (!binary || !existsSync(binary))
    throw new Error('coturn is not installed (Debian package "coturn", binary "turnserver")');
  const secret = randomBytes(24).toString('base64url');
  const limits = {
    allowLoopbackPeers: options.allowLoopbackPeers,
    userQuota: options.userQuota,
    totalQuota: options.totalQuota,
  };
  // refuses bad settings (loopback peers on a reachable address) before anything is made
  localCoturnSettings({ host, port: options.port ?? 3478, secret, stateDir: '/', ...limits });
  // A port chosen here can still be taken before coturn binds it: then another, twice more.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await (options.pickPort ?? freeListenPort)(host));
    try {
      return await startOn(binary, host, port, secret, limits, options.readyTimeoutMs ?? 10_000);
    } catch (err) {
      if (options.port !== undefined || attempt === 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startOn(
  binary: string,
  host: string,
  port: number,
  secret: string,
  limits: {
    allowLoopbackPeers: boolean | undefined;
    userQuota: number | undefined;
    totalQuota: number | undefined;
  },
  readyTimeoutMs: number,
): Promise<LocalTurnServer> {
  const dir = await mkdtemp(join(tmpdir(), 'disco-turn-'));
  const text = coturnConfigText(
    localCoturnSettings({ host, port, secret, stateDir: dir, ...limits }),
  );
  const conf = join(dir, 'turnserver.conf');
  await writeFile(conf, text, { mode: 0o600 });

  const child: ChildProcess = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    log.splice(0, Math.max(0, log.length - 200));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // A process that exits without close() (a crash, process.exit) must not leave coturn behind.
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const cleanup = async () => {
    process.off('exit', onExit);
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await stunAnswers(host, port, 200))) {
    // coturn keeps retrying a listener it cannot bind (or exits): either way this port is lost.
    const taken = portTaken(log);
    if (taken || exited || Date.now() > deadline) {
      await cleanup();
      const why = `coturn did not start on ${host}:${port}${exited ? ' (it exited)' : ''}:\n${log.slice(-20).join('\n')}`;
      throw taken ? new PortTaken(why) : new Error(why);
    }
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    urls: [`turn:${hostPart}:${port}?transport=udp`, `turn:${hostPart}:${port}?transport=tcp`],
    secret,
    port,
    configFile: conf,
    log: () => [...log],
    close: cleanup,
  };
}
