// The cluster section of `npm run bench` (issues #13 and #14): what a relay process costs in
// memory, idle and per connected device, next to a bare `peer` PeerServer measured the same way;
// tunnelled requests per second through 1 and 3 relay processes behind HAProxy; pairings per
// second with the memory store and with Redis.
//
// How it runs. `clusterSection()` (bench/index.ts) runs this file again as a child process, with
// the file-descriptor limit raised (`ulimit -n`, up to the hard limit: 5,000 sockets need more
// than the usual 1,024) and in a loopback-only network namespace (the tunnel figures open WebRTC
// data channels): directly when this process is already in one, under `unshare -n` when it is
// root, and otherwise it says why the section is skipped. Every server is a child process of the
// child (the relay as `npm run relay` runs it: compiled, dist-relay/), and so is the load
// generator (bench/cluster_load.ts), so that what is measured holds only the server's own memory.
//
// Memory is the resident set (VmRSS in /proc/<pid>/status) after a full GC: the measured
// processes start with `--expose-gc` and a one-line preload that collects on SIGUSR2 and prints
// `process.memoryUsage()`, which says where the bytes are (JS heap, buffers).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRedis } from '../src/server/redis/start_redis.js';
import { relayEntry, startCluster } from '../src/server/relay/cluster/start_cluster.js';
import { json, makeDevice, makeRp } from '../src/server/relay/testing.js';
import type { LoadAnswer, LoadCommand } from './cluster_load.js';
import { Results, type Figure } from './results.js';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD_ENV = 'DISCO_BENCH_CLUSTER_FIGURES';
const TIMEOUT_MS = 400_000;
const NOFILE = 20_000;
const IDLE_COUNTS = [1000, 5000] as const;
const WARM_UP = 200;
/** Measuring time per figure, in ROUNDS alternating with the figure it is compared to. */
const RUN_MS = 6000;
const ROUNDS = 3;
const TUNNEL_IN_FLIGHT = 16;
const PAIRING_IN_FLIGHT = 8;
/** Rate limits out of the way: the bench measures throughput from one address. */
const UNLIMITED = Object.fromEntries(
  [
    'CREATE_PER_ADDRESS',
    'CREATE_PER_CERTIFICATE',
    'PAIR_PER_ADDRESS',
    'PAIR_FAILURES_PER_RELAY',
    'WAIT_PER_ADDRESS',
    'ICE_PER_ADDRESS',
    'OFFERS_PER_SOURCE',
  ].map((name) => [`DISCO_RELAY_RATE_${name}`, '1000000']),
);
const NAMESPACE_SETUP =
  'ip link set lo up && ip link add disco0 type veth peer name disco1 && ip addr add 10.77.0.1/24 dev disco0 && ip link set disco0 up && ip link set disco1 up';
const RAISE_NOFILE = `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;

/** Only loopback and the namespace's own veth pair (/proc/net is per namespace). */
function loopbackOnly(): boolean {
  const names = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]!.trim())
    .filter(Boolean);
  return names.every((n) => ['lo', 'disco0', 'disco1'].includes(n));
}

// ---------------------------------------------------------------------------------------------
// The launcher (in `npm run bench`'s own process)

/** Runs the section in its child and adds its figures to `results`; returns why when skipped. */
export async function clusterSection(results: Results): Promise<string | undefined> {
  console.log('\nRelay memory and the relay cluster (child processes, loopback-only namespace)');
  const skip = (why: string) => (console.log(`  skipped: ${why}`), why);
  const missing = ['redis-server', 'haproxy'].filter(
    (name) => !['/usr/bin', '/usr/sbin'].some((dir) => existsSync(join(dir, name))),
  );
  if (missing.length) return skip(`needs ${missing.join(' and ')} (apt-get install -y …)`);
  const isolated = loopbackOnly();
  if (!isolated && process.getuid?.() !== 0)
    return skip(
      `WebRTC must run in a loopback-only network namespace; run as root or inside \`unshare -n sh -c '${NAMESPACE_SETUP} && npm run bench'\``,
    );
  relayEntry(); // builds dist-relay/ now rather than inside a measurement
  const dir = mkdtempSync(join(tmpdir(), 'disco-bench-cluster-'));
  const figures = join(dir, 'figures.json');
  const script = `${isolated ? '' : `${NAMESPACE_SETUP} && `}${RAISE_NOFILE}; exec "$0" "$@"`;
  const node = [process.execPath, '--import', 'tsx', resolve(ROOT, 'bench/cluster.ts')];
  const [command, args] = isolated
    ? ['sh', ['-c', script, ...node]]
    : ['unshare', ['-n', 'sh', '-c', script, ...node]];
  try {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, [CHILD_ENV]: figures },
      stdio: 'inherit',
      detached: true,
    });
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), TIMEOUT_MS);
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    clearTimeout(timer);
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL'); // anything left behind
    } catch {
      // nothing was
    }
    if (code !== 0 || !existsSync(figures)) {
      process.exitCode = 1;
      return skip(`the cluster section failed (exit ${code})`);
    }
    results.merge(JSON.parse(readFileSync(figures, 'utf8')) as Record<string, Figure>);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The measurements (in the child)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/** Collects on SIGUSR2 and prints the process's own view of its memory. */
const GC_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "process.on('SIGUSR2',()=>{globalThis.gc();globalThis.gc();process.stderr.write('MEM '+JSON.stringify(process.memoryUsage())+'\\n')})",
)}`;
const MEASURED = ['--expose-gc', `--import=${GC_PRELOAD}`];

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
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

/** Starts a server process and waits for its `listening on http://…` line. */
function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [...MEASURED, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((ok, fail) => {
    const seen = () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) ok({ child, url, output: () => out, stop });
    };
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), seen()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => fail(new Error(`server exited:\n${out}`)));
  });
}

const compiledRelay = (env: Record<string, string> = {}) =>
  startServer([relayEntry(), '--host', '127.0.0.1', '--port', '0'], env);
const tsxRelay = () =>
  startServer([
    '--import',
    'tsx',
    resolve(ROOT, 'src/server/relay_main.ts'),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
  ]);
/** A bare `peer` PeerServer: the floor a PeerJS signalling server costs. */
const peerServer = async () => {
  const port = await freePort();
  return startServer([
    '--input-type=module',
    '-e',
    `import { PeerServer } from 'peer';
     PeerServer({ host: '127.0.0.1', port: ${port}, path: '/', concurrent_limit: 100000 },
       () => console.log('listening on http://127.0.0.1:${port}'));`,
  ]);
};

/**
 * Memory after a full GC, once the process has settled: the lowest of three collections a second
 * apart (V8 gives pages back to the system lazily, so one reading alone varies by megabytes).
 */
async function memory(server: Server): Promise<Memory> {
  const lines = () => server.output().match(/^MEM .*$/gm) ?? [];
  let best: Memory | undefined;
  await sleep(2000);
  for (let i = 0; i < 3; i++) {
    const before = lines().length;
    server.child.kill('SIGUSR2');
    while (lines().length === before) await sleep(50);
    await sleep(1000);
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    const mem = JSON.parse(lines().at(-1)!.slice(4)) as Omit<Memory, 'rss'>;
    if (!best || rss < best.rss) best = { ...mem, rss };
  }
  return best!;
}

/** The load generator (bench/cluster_load.ts) as a child process. */
function loadGenerator() {
  const child = fork(resolve(ROOT, 'bench/cluster_load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    ask: (command: LoadCommand) =>
      new Promise<LoadAnswer>((ok) => {
        child.once('message', (answer: LoadAnswer) => ok(answer));
        child.send(command);
      }),
    close: () => (child.connected ? child.send({ kind: 'close' }) : undefined),
  };
}

async function zeroDevices(r: Results): Promise<void> {
  console.log('  Resident memory at zero devices (after a full GC)');
  const each: [string, string, () => Promise<Server>, string?][] = [
    ['peerserver_rss_bytes', 'bare peer PeerServer', peerServer],
    ['relay_rss_compiled_bytes', 'relay, compiled (npm run relay)', compiledRelay],
    ['relay_rss_tsx_bytes', 'relay through tsx', tsxRelay],
  ];
  for (const [key, name, start] of each) {
    const server = await start();
    try {
      const m = await memory(server);
      console.log(
        `    ${name.padEnd(40)} ${mib(m.rss).padStart(10)}  (JS heap ${mib(m.heapUsed)})`,
      );
      r.add(
        key,
        `resident memory at zero devices: ${name}`,
        m.rss,
        'bytes',
        key === 'peerserver_rss_bytes' ? undefined : 'peerserver_rss_bytes',
      );
    } finally {
      await server.stop();
    }
  }
}

/**
 * Idle devices: the server's RSS delta per connected socket at each of IDLE_COUNTS, the marginal
 * cost between the two counts, and the JS heap's share (exact, where RSS moves by megabytes).
 */
async function idleDevices(r: Results, prefix: 'relay' | 'peerserver', server: Server) {
  const load = loadGenerator();
  const label = prefix === 'relay' ? 'one relay process' : 'bare peer PeerServer';
  const baseline = (key: string) =>
    prefix === 'relay' ? key.replace('relay', 'peerserver') : undefined;
  const add = (key: string, name: string, value: number) =>
    r.add(key, `${name}: ${label}`, value, 'bytes', baseline(key));
  try {
    const path = prefix === 'relay' ? '/peerjs/peerjs' : '/peerjs';
    const ws = `${server.url.replace('http', 'ws')}${path}`;
    // a warm-up batch, connected and closed, so that code compiled on first use is in the
    // baseline and not spread over the devices
    await load.ask({ kind: 'connect', url: ws, count: WARM_UP });
    await load.ask({ kind: 'disconnect' });
    const base = await memory(server);
    const at: Memory[] = [];
    for (const count of IDLE_COUNTS) {
      const answer = await load.ask({
        kind: 'connect',
        url: ws,
        count: count - (at.length ? IDLE_COUNTS[0] : 0),
      });
      if (answer.kind !== 'connected' || answer.open !== count)
        throw new Error(`${prefix}: ${JSON.stringify(answer)} (wanted ${count} open)`);
      const m = await memory(server);
      at.push(m);
      const per = (k: keyof Memory) => (m[k] - base[k]) / count;
      console.log(
        `    ${prefix.padEnd(10)} ${String(count).padStart(5)} devices: ${per('rss').toFixed(0).padStart(6)} B each (JS heap ${per('heapUsed').toFixed(0)}, buffers ${per('arrayBuffers').toFixed(0)})`,
      );
      add(
        `${prefix}_idle_device_bytes_${count}`,
        `resident memory per connected idle device (PeerJS socket, valid peer token), ${count} connected`,
        per('rss'),
      );
      add(
        `${prefix}_idle_device_heap_bytes_${count}`,
        `JS heap (after GC) per connected idle device, ${count} connected`,
        per('heapUsed'),
      );
    }
    const [low, high] = [IDLE_COUNTS[0], IDLE_COUNTS[1]];
    const marginal = (at[1]!.rss - at[0]!.rss) / (high - low);
    console.log(
      `    ${prefix.padEnd(10)} each device from ${low} to ${high}: ${marginal.toFixed(0)} B`,
    );
    add(
      `${prefix}_idle_device_marginal_bytes`,
      `resident memory per idle device added from ${low} to ${high} connected`,
      marginal,
    );
  } finally {
    load.close();
    await server.stop();
  }
}

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Run {
  one(): Promise<boolean>;
  /** Processes whose CPU time per right answer is reported. */
  pids?: readonly number[];
}

/**
 * Calls each of `runs` in turn, ROUNDS times for RUN_MS / ROUNDS with `inFlight` at a time, so
 * that what the machine's other work takes falls on each alike; answers per second that were
 * right, how many were not, and the CPU time `pids` spent per right answer.
 */
async function alternate(runs: readonly Run[], inFlight: number) {
  const totals = runs.map(() => ({ ok: 0, failed: 0, ms: 0, cpu: 0 }));
  const cpu = (run: Run) => (run.pids ?? []).reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, run] of runs.entries()) {
      const t = totals[i]!;
      const cpuBefore = cpu(run);
      const start = performance.now();
      const end = start + RUN_MS / ROUNDS;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (performance.now() < end) {
            if (await run.one().catch(() => false)) t.ok++;
            else t.failed++;
          }
        }),
      );
      t.ms += performance.now() - start;
      t.cpu += cpu(run) - cpuBefore;
    }
  }
  return totals.map((t) => ({
    perSecond: (t.ok * 1000) / t.ms,
    failed: t.failed,
    cpuMsPerAnswer: t.cpu / t.ok,
  }));
}

/** A cluster of `relays` processes with a device served through its balancer; its tunnel GET. */
async function tunnelThrough(relays: number, load: ReturnType<typeof loadGenerator>) {
  const cluster = await startCluster({ relays, drainMs: 100, env: UNLIMITED });
  const served = await load.ask({ kind: 'serve', url: cluster.url });
  if (served.kind !== 'served') throw new Error(JSON.stringify(served));
  const url = `${cluster.url}/p/${served.peerId}/disco/ping`;
  const one = async () => {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  };
  // every process opens its own link to the device on its first request
  for (let good = 0, tries = 0; good < 3 * relays; tries++) {
    if (tries > 300) throw new Error('the device is not reached through the cluster');
    good = (await one().catch(() => false)) ? good + 1 : (await sleep(100), 0);
  }
  return { cluster, one, pids: cluster.relays.map((p) => p.child.pid!) };
}

async function clusterTunnel(r: Results): Promise<void> {
  const load = loadGenerator();
  const clusters: Awaited<ReturnType<typeof tunnelThrough>>[] = [];
  try {
    for (const relays of [1, 3]) clusters.push(await tunnelThrough(relays, load));
    const rates = await alternate(clusters, TUNNEL_IN_FLIGHT);
    for (const [i, relays] of [1, 3].entries()) {
      const { perSecond, failed, cpuMsPerAnswer } = rates[i]!;
      console.log(
        `    ${relays} relay process${relays > 1 ? 'es' : ' '} behind HAProxy: ${perSecond.toFixed(0).padStart(6)} tunnelled GET/s, relay CPU ${cpuMsPerAnswer.toFixed(2)} ms each${failed ? ` (${failed} failed)` : ''}`,
      );
      r.add(
        `cluster_relay_cpu_ms_per_request_${relays}`,
        `CPU time of the relay process(es) per tunnelled GET, ${relays} process(es)`,
        cpuMsPerAnswer,
        'ms',
      );
      r.add(
        `cluster_tunnel_rps_${relays}`,
        `tunnelled GET through HAProxy and ${relays} relay process(es) sharing Redis, ${TUNNEL_IN_FLIGHT} in flight`,
        perSecond,
        'req/s',
      );
    }
  } finally {
    load.close();
    await Promise.all(clusters.map((c) => c.cluster.stop()));
  }
}

/** One relay process on `store`; one pairing is the RP's GET /uid then the device's POST /uid. */
async function pairingOn(store: 'memory' | 'redis') {
  const redis = store === 'redis' ? await startRedis() : undefined;
  const relay = await compiledRelay({
    ...UNLIMITED,
    ...(redis ? { DISCO_REDIS_URL: redis.url } : {}),
  });
  const rp = await makeRp(Date.now());
  const device = await makeDevice();
  const one = async () => {
    const created = await fetch(`${relay.url}/uid`, {
      headers: { 'disco-client-certificate': rp.header },
    });
    const { uid } = (await created.json()) as { uid: string };
    const paired = await fetch(`${relay.url}/uid`, json(device.pairBody(uid, relay.url)));
    await paired.arrayBuffer();
    return paired.status === 200;
  };
  await one();
  return {
    one,
    pids: [relay.child.pid!],
    stop: async () => (await relay.stop(), await redis?.stop()),
  };
}

async function pairing(r: Results): Promise<void> {
  const stores = ['memory', 'redis'] as const;
  const relays: Awaited<ReturnType<typeof pairingOn>>[] = [];
  try {
    for (const store of stores) relays.push(await pairingOn(store));
    const rates = await alternate(relays, PAIRING_IN_FLIGHT);
    for (const [i, store] of stores.entries()) {
      const { perSecond, failed, cpuMsPerAnswer } = rates[i]!;
      console.log(
        `    ${store.padEnd(6)} store: ${perSecond.toFixed(0).padStart(6)} pairings/s, relay CPU ${cpuMsPerAnswer.toFixed(2)} ms each${failed ? ` (${failed} failed)` : ''}`,
      );
      r.add(
        `pairing_rps_${store}`,
        `pairings (GET /uid + POST /uid) per second, one relay process, ${store} store, ${PAIRING_IN_FLIGHT} in flight`,
        perSecond,
        'pairings/s',
        store === 'redis' ? 'pairing_rps_memory' : undefined,
      );
    }
  } finally {
    await Promise.all(relays.map((p) => p.stop()));
  }
}

async function measureAll(r: Results): Promise<void> {
  await zeroDevices(r);
  console.log('  Idle devices (RSS delta of the server process after a full GC)');
  await idleDevices(r, 'peerserver', await peerServer());
  const max = { DISCO_RELAY_MAX_PEERS: '20000', DISCO_RELAY_MAX_PEERS_PER_ADDRESS: '20000' };
  await idleDevices(r, 'relay', await compiledRelay(max));
  console.log('  Tunnelled GET per second (device: the SDK Node peer, in the load generator)');
  await clusterTunnel(r);
  r.ratio(
    'cluster_scaleout_ratio',
    'tunnelled GET/s, 3 relay processes over 1',
    'cluster_tunnel_rps_3',
    'cluster_tunnel_rps_1',
  );
  console.log('  Pairings per second, one relay process');
  await pairing(r);
}

if (process.env[CHILD_ENV] && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = new Results();
  const guard = setTimeout(
    () => (console.error('cluster bench: timed out'), process.exit(1)),
    TIMEOUT_MS - 20_000,
  );
  await measureAll(r);
  clearTimeout(guard);
  writeFileSync(process.env[CHILD_ENV], JSON.stringify(r.resolved()));
  process.exit(0);
}
