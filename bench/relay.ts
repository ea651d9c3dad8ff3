// The relay section of `npm run bench`: figures, not assertions, against the real stack.
//
// How it runs. `relaySection()` (called at the end of bench/index.ts) checks what it needs —
// Chromium, a built app (it runs `vite build` when dist/index.html is missing) and a loopback-only
// network namespace, because WebRTC and Chromium's mDNS must not touch real interfaces
// (shared/ENVIRONMENT.md) — then runs this file again as a child process: directly when this
// process is already in such a namespace, under `unshare -n sh -c 'ip link set lo up && …'` when
// it is root, and otherwise prints why the section is skipped. The child starts the stack exactly
// as the browser tests do (`startStack`, i.e. `src/start/main.ts` — device app, relay with its
// PeerJS server and node-datachannel device link, demo RPs — as a child process), brings a device
// page online in Debian Chromium, measures, and cleans up. It stops itself after
// CHILD_TIMEOUT_MS; the parent kills its whole process group after PARENT_TIMEOUT_MS.
//
// The child records its figures in a Results of its own and writes them, as JSON, to the file
// FIGURES_ENV names; the launcher merges them into the run's results.json.
//
// `tsx bench/relay.ts` runs the section on its own (same checks).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { Results, type Figure } from './results.js';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD_ENV = 'DISCO_BENCH_RELAY_CHILD';
const FIGURES_ENV = 'DISCO_BENCH_RELAY_FIGURES';
const CHILD_TIMEOUT_MS = 150_000;
const PARENT_TIMEOUT_MS = 200_000;
/** Measuring time per figure, after a warm-up of WARMUP_MS. */
const RUN_MS = 3000;
const CONTEXT_RUN_MS = 1500;
const WARMUP_MS = 500;
const MIB = 1024 * 1024;

/** Network interfaces of this process's namespace (/proc/net is per namespace, /sys is not). */
function interfaces(): string[] {
  try {
    return readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((line) => line.split(':')[0]!.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}
/**
 * The namespace `npm test` makes (scripts/test.mjs): loopback, plus a veth pair whose both ends
 * are inside it, standing in for a real machine's LAN interface (Chromium gathers no ICE
 * candidates at all on a loopback-only host). Nothing can leave it.
 */
const NAMESPACE_SETUP =
  'ip link set lo up && ip link add disco0 type veth peer name disco1 && ip addr add 10.77.0.1/24 dev disco0 && ip link set disco0 up && ip link set disco1 up';
const ISOLATED_INTERFACES = new Set(['lo', 'disco0', 'disco1']);
const loopbackOnly = () => {
  const names = interfaces();
  return names.length > 0 && names.every((n) => ISOLATED_INTERFACES.has(n));
};

// ---------------------------------------------------------------------------------------------
// The launcher (runs in `npm run bench`'s own process)

/**
 * Prints the relay section: runs it in a loopback-only namespace and adds its figures to
 * `results`, or says why it is skipped (and returns the reason).
 */
export async function relaySection(results?: Results): Promise<string | undefined> {
  console.log('\nRelay tunnel (real stack: npm start as a child process, device page in Chromium)');
  const { CHROMIUM_PATH } = await import('../playwright.config.js');
  const skip = (why: string) => {
    console.log(`  skipped: ${why}`);
    return why;
  };
  if (!existsSync(CHROMIUM_PATH)) {
    return skip(
      `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
    );
  }
  const isRoot = process.getuid?.() === 0;
  const isolated = loopbackOnly();
  if (!isolated && !isRoot) {
    return skip(
      'WebRTC must run in a loopback-only network namespace (nothing may leave the machine), ' +
        'and creating one (unshare -n) needs root. Run as root, or inside ' +
        `\`unshare -n sh -c '${NAMESPACE_SETUP} && npm run bench'\`.`,
    );
  }
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    console.log('  building the app first (npx vite build --logLevel warn)');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
  const tsx = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'bench/relay.ts')];
  const [command, args] = isolated
    ? [process.execPath, tsx]
    : [
        'unshare',
        ['-n', 'sh', '-c', `${NAMESPACE_SETUP} && exec "$0" "$@"`, process.execPath, ...tsx],
      ];
  const dir = mkdtempSync(join(tmpdir(), 'disco-bench-relay-'));
  const figures = join(dir, 'figures.json');
  try {
    const code = await runChild(command, args, figures);
    if (code !== 0) {
      console.log(`  the relay section failed (exit ${code})`);
      process.exitCode = 1;
      return `the relay section failed (exit ${code})`;
    }
    if (existsSync(figures))
      results?.merge(JSON.parse(readFileSync(figures, 'utf8')) as Record<string, Figure>);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the measuring child in its own process group, killed as a whole on timeout or Ctrl+C. */
function runChild(command: string, args: string[], figures: string): Promise<number | string> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, [CHILD_ENV]: '1', [FIGURES_ENV]: figures },
      stdio: 'inherit',
      detached: true,
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const onSignal = () => {
      killGroup('SIGKILL');
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = setTimeout(() => {
      console.log(`  timed out after ${PARENT_TIMEOUT_MS / 1000} s: stopping it`);
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, PARENT_TIMEOUT_MS);
    const finish = (code: number | string) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      killGroup('SIGKILL'); // anything the child left behind (it should have left nothing)
      done(code);
    };
    child.once('error', (err) => finish(err.message));
    child.once('exit', (code, signal) => finish(code ?? signal ?? 'unknown'));
  });
}

// ---------------------------------------------------------------------------------------------
// The measurements (run in the child, inside the loopback-only namespace)

/** Runs `fn` sequentially for `ms` after a warm-up; prints and returns operations per second. */
async function measure(name: string, fn: () => Promise<unknown>, ms = RUN_MS): Promise<number> {
  const warm = performance.now();
  do await fn();
  while (performance.now() - warm < WARMUP_MS);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  const perSecond = (n * 1000) / (performance.now() - start);
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
  return perSecond;
}

/** As `measure`, each operation moving `bytes`; prints MB/s (10^6 bytes) and returns it. */
async function measureBytes(name: string, bytes: number, fn: () => Promise<unknown>) {
  const warm = performance.now();
  do await fn();
  while (performance.now() - warm < WARMUP_MS);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < RUN_MS) {
    await fn();
    n++;
  }
  const seconds = (performance.now() - start) / 1000;
  const mbPerSecond = (n * bytes) / 1e6 / seconds;
  const perSecond = n / seconds;
  console.log(
    `  ${name.padEnd(44)} ${mbPerSecond.toFixed(1).padStart(10)} MB/s  (${perSecond.toFixed(1)} ops/s)`,
  );
  return mbPerSecond;
}

const rate = (x: number) => x.toFixed(1).padStart(10);

/**
 * Operations per second of `op` (a promise expression) run sequentially inside `page` for
 * CONTEXT_RUN_MS after a warm-up, `setup` (statements) run first. Passed as a string, not a
 * function: tsx would wrap named functions in a helper (`__name`) that the page lacks.
 */
function inPage(page: Page, setup: string, op: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    ${setup}
    const once = () => ${op};
    const w = performance.now();
    do await once();
    while (performance.now() - w < ${WARMUP_MS});
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ${CONTEXT_RUN_MS}) {
      await once();
      n++;
    }
    return (n * 1000) / (performance.now() - start);
  })()`);
}

/** Where the time of one operation goes, roughly: the parts measured alone, and the rest. */
function split(what: string, totalMs: number, parts: Record<string, number>): string {
  const known = Object.values(parts).reduce((a, b) => a + b, 0);
  const each = Object.entries(parts).map(([name, ms]) => `${name} ${ms.toFixed(1)}`);
  const rest = Math.max(0, totalMs - known).toFixed(1);
  return `${what}, ${totalMs.toFixed(1)} ms, roughly: ${each.join(' + ')} + the rest ${rest} ms (relay, bridge, tunnel framing)`;
}

/**
 * One HTTP exchange over a keep-alive node:http connection: the status and the body's length.
 * The tunnel is measured with this client rather than `fetch`: undici's fetch costs several
 * milliseconds a request of its own on this busy 2-core machine (the context figure next to the
 * tunnel's shows how much), which is the client's time, not the tunnel's.
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
function httpExchange(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<{ status: number; bytes: number }> {
  return new Promise((done, fail) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: keepAlive },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
        res.on('end', () => done({ status: res.statusCode ?? 0, bytes }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(init.body);
  });
}

/** Rejects after `ms`, naming what did not happen. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_ok, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// The raw PeerJS baseline's page. Every message starts with one byte: 0 = echo it back,
// 1 = swallow it, 2 = swallow it and answer the single byte 2 (the end of a bulk transfer).
const ECHO_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>PeerJS echo</title>
<script src="/peerjs.min.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  const ACK = new Uint8Array([2]);
  // The relay's ICE servers (TURN, relay-only), as the device app uses them: handed in by the
  // bench with page.evaluate, never in the URL.
  window.startEcho = (config) => new Promise((ok, fail) => {
  const peer = new peerjs.Peer(q.get('id'), {
    host: '127.0.0.1', port: Number(q.get('port')), path: '/peerjs', secure: false,
    key: 'peerjs', token: q.get('token'), debug: 0, config,
  });
    peer.on('open', () => ok('open'));
    peer.on('error', (e) => fail(new Error('PeerJS ' + e.type)));
  peer.on('connection', (conn) => {
    conn.on('data', (data) => {
      const bytes = new Uint8Array(data);
      if (bytes[0] === 0) conn.send(bytes);
      else if (bytes[0] === 2) conn.send(ACK);
    });
  });
  });
</script>`;

function serveEchoPage(): Promise<{ url: string; server: Server }> {
  const peerjs = readFileSync(resolve(ROOT, 'node_modules/peerjs/dist/peerjs.min.js'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(ECHO_PAGE);
    else if (path === '/peerjs.min.js')
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(peerjs);
    else res.writeHead(404).end();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      ok({ url: `http://127.0.0.1:${port}`, server });
    });
  });
}

const APPROVALS = 20;

/** One approval: click → the company has the answer, and where the time went. */
interface Approval {
  total: number;
  /** Click → the decision leaves the page (stored, then posted to the service worker). */
  inPage: number;
  /** Click → the held poll's answer reaches the company's HTTP client (before the SDK opens it). */
  arrived: number;
}

/** Pairs a company with the device page, then times APPROVALS approvals of key A. */
async function approvalToAnswer(page: Page, relay: string): Promise<Approval[]> {
  const { createClientIdentity, DiscoClient, startPairing } = await import('../src/sdk/index.js');
  const { approveRequest } = await import('../playwright/fixtures.js');
  const identity = await createClientIdentity({ name: 'Bench Shop', clock: { now: Date.now } });
  const pairing = await startPairing(relay, identity);
  const paired = pairing.wait();
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const { device, transport: tunnel } = await paired;
  let arrived = 0;
  const transport = {
    get: (path: string, signal?: AbortSignal) => tunnel.get(path, signal),
    post: async (path: string, body: string, signal?: AbortSignal) => {
      const res = await tunnel.post(path, body, signal);
      arrived = performance.timeOrigin + performance.now();
      return res;
    },
  };
  const client = new DiscoClient({
    clientId: 'bench-shop',
    clientName: 'Bench Shop',
    clientSecret: randomBytes(24).toString('base64url'),
    isTrusted: false,
    identity,
    device,
    transport,
  });
  const registered = client.register(pairing.challenge);
  await approveRequest(page, 'Bench Shop');
  await registered;
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Requests/ })
    .click();
  // Timed from the click as the page sees it (its click event), not from Playwright's click():
  // that waits for the button to be stable over animation frames and dispatches through CDP,
  // 15-50 ms that are the test driver's, not the person's. Both ends read the wall clock
  // (performance.timeOrigin + now, on one machine). A BroadcastChannel listener in the page
  // also notes when the decision leaves it (src/browser/decisions.ts), to split the figure.
  await page.evaluate(`(() => {
    const at = () => performance.timeOrigin + performance.now();
    document.addEventListener('click', () => (window.__benchClickAt = at()), true);
    new BroadcastChannel('disco-decisions').onmessage = () => (window.__benchDecidedAt = at());
  })()`);
  const now = () => performance.timeOrigin + performance.now();
  const times: Approval[] = [];
  for (let i = 0; i < APPROVALS; i++) {
    let pending!: () => void;
    const asked = new Promise<void>((ok) => (pending = ok));
    const answer = client.requestKeyA(['address'], { onPending: () => pending() });
    await within(asked, 10_000, 'key A pending');
    const approve = page.getByRole('button', { name: "Approve Bench Shop's request" });
    await approve.waitFor({ timeout: 10_000 });
    await approve.click();
    await within(answer, 20_000, 'key A answer');
    const answered = now();
    const [clicked, decided] = await page.evaluate<[number, number]>(
      '[window.__benchClickAt, window.__benchDecidedAt]',
    );
    times.push({
      total: answered - clicked,
      inPage: decided - clicked,
      arrived: arrived - clicked,
    });
  }
  return times;
}

async function measureRelay(results: Results): Promise<void> {
  process.chdir(ROOT); // startStack resolves src/start/main.ts from the working directory
  const { chromium } = await import('@playwright/test');
  const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import('../playwright.config.js');
  const { startStack } = await import('../playwright/stack.js');
  const { createDevice, expect } = await import('../playwright/fixtures.js');
  const { fetchIceConfig, peerIdOf, TUNNEL_CHUNK_BYTES } =
    await import('../src/protocol/tunnel/index.js');
  const { createNodePeer } = await import('../src/sdk/peer_link/node_peer.js');
  const { openDataConnectionHedged } = await import('../src/sdk/peer_link/open_data_connection.js');
  const { frameBytes } = await import('../src/sdk/peer_link/frame_bytes.js');

  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    for (const f of cleanups.splice(0).reverse())
      await within(Promise.resolve().then(f), 6000, 'cleanup').catch(() => {});
  };
  const watchdog = setTimeout(() => {
    console.log(`  relay bench: no end after ${CHILD_TIMEOUT_MS / 1000} s, stopping`);
    void cleanup().finally(() => process.exit(1));
  }, CHILD_TIMEOUT_MS);
  // The launcher's timeout (or Ctrl+C) stops the whole process group: leave no temp dirs.
  const onSignal = () => void cleanup().finally(() => process.exit(1));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const began = performance.now();
  try {
    const stack = await startStack();
    cleanups.push(() => stack.stop());
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());

    // The device: created in the real app, online at the relay (as playwright/relay.spec.ts).
    const page = await (await browser.newContext()).newPage();
    await createDevice(page, undefined, `${stack.app}/`);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    await page.getByRole('link', { name: 'Settings' }).click();
    const deviceId = (await page.getByTestId('device-id').textContent()) ?? '';
    const proxy = `${stack.relay}/p/${peerIdOf(deviceId)}`;

    // 1. A small request, end to end.
    const configuration = `${proxy}/disco/.well-known/disco-configuration`;
    let answerBytes = 0;
    // The badge says Online once the page is registered; the relay's link to it may still be
    // connecting (a 404 or 504 meanwhile): wait for a first answer before timing anything.
    const ready = performance.now() + 30_000;
    let first = await httpExchange(configuration);
    while (first.status !== 200 && performance.now() < ready) {
      await new Promise((ok) => setTimeout(ok, 500));
      first = await httpExchange(configuration);
    }
    const tunnel = await measure('GET disco-configuration via relay → device SW', async () => {
      const res = await httpExchange(configuration);
      if (res.status !== 200) throw new Error(`disco-configuration: ${res.status}`);
      answerBytes = res.bytes;
    });
    const withFetch = await measure(
      '  context: the same GET with fetch (undici)',
      async () => {
        const res = await fetch(configuration);
        await res.arrayBuffer();
      },
      CONTEXT_RUN_MS,
    );

    // Where the time goes: the two ends of that path alone (context, not a baseline).
    const health = `${stack.relay}/healthz`;
    const httpOnly = await measure(
      '  context: GET /healthz on the relay (HTTP leg)',
      async () => {
        await httpExchange(health);
      },
      CONTEXT_RUN_MS,
    );
    const swOnly = await inPage(
      page,
      '',
      "fetch('/disco/.well-known/disco-configuration').then((r) => r.arrayBuffer())",
    );
    console.log(
      `  ${'  context: the page fetches it from its SW'.padEnd(44)} ${rate(swOnly)} ops/s`,
    );
    // What the bridge does instead of that fetch (src/app/lib/worker_engine.ts): one message on
    // a MessageChannel, answered by the same engine in the worker.
    const swMessage = await inPage(
      page,
      `const sw = navigator.serviceWorker.controller;
       const request = { method: 'GET', path: '/disco/.well-known/disco-configuration', headers: {} };`,
      `new Promise((ok, fail) => {
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = (e) => {
          port1.close();
          if (e.data?.type === 'ENGINE_RESPONSE' && e.data.status === 200) ok();
          else fail(new Error('the service worker answered ' + JSON.stringify(e.data).slice(0, 200)));
        };
        sw.postMessage({ type: 'ENGINE_REQUEST', request }, [port2]);
      })`,
    );
    console.log(
      `  ${'  context: the page asks its SW (MessageChannel)'.padEnd(44)} ${rate(swMessage)} ops/s`,
    );

    // 2. The baseline: a Node peer ↔ a Chromium page echoing over PeerJS, same relay signalling.
    const { url: echoUrl, server } = await serveEchoPage();
    cleanups.push(() => new Promise((ok) => server.close(ok)));
    const relayPort = Number(new URL(stack.relay).port);
    const echoId = `bench-echo-${randomBytes(6).toString('hex')}`;
    const echoPage = await (await browser.newContext()).newPage();
    await echoPage.goto(
      `${echoUrl}/?id=${echoId}&port=${relayPort}&token=${randomBytes(8).toString('hex')}`,
    );
    // Both ends of the baseline use the relay's TURN server, as the tunnel's data channel does.
    const ice = await fetchIceConfig(stack.relay, fetch, Date.now);
    const rtc = { iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy };
    await within(
      echoPage.evaluate(
        (config) =>
          (window as unknown as { startEcho: (c: RTCConfiguration) => Promise<string> }).startEcho(
            config,
          ),
        rtc,
      ),
      10_000,
      'echo page',
    );
    const peer = await createNodePeer({
      host: '127.0.0.1',
      port: relayPort,
      path: '/peerjs',
      bindAddress: '127.0.0.1',
      ...rtc,
      id: `bench-rp-${randomBytes(6).toString('hex')}`,
    });
    cleanups.push(() => peer.destroy());
    peer.on('error', () => {});
    const conn = await openDataConnectionHedged(peer, echoId, 10_000);
    let waiting: ((bytes: Uint8Array) => void) | undefined;
    conn.on('data', (data) => {
      const bytes = frameBytes(data);
      const w = waiting;
      waiting = undefined;
      if (bytes) w?.(bytes);
    });
    const reply = () =>
      within(new Promise<Uint8Array>((ok) => (waiting = ok)), 10_000, 'PeerJS echo');
    const small = new Uint8Array(64); // first byte 0: echo
    const raw = await measure(
      'raw PeerJS echo, 64 B, Node ↔ TURN ↔ Chromium (baseline)',
      async () => {
        const back = reply();
        void conn.send(small);
        if ((await back).byteLength !== small.byteLength) throw new Error('echo: wrong length');
      },
    );
    results.add('relay_http_leg_ms', 'GET /healthz on the relay (HTTP leg)', 1000 / httpOnly, 'ms');
    results.add(
      'page_to_sw_message_ms',
      'the page asks its SW for disco-configuration over a MessageChannel',
      1000 / swMessage,
      'ms',
    );
    results.add(
      'page_to_sw_fetch_ms',
      'the page fetches disco-configuration from its SW',
      1000 / swOnly,
      'ms',
      'page_to_sw_message_ms',
    );
    results.add(
      'raw_echo_round_trip_ms',
      'raw PeerJS echo, 64 B, Node ↔ TURN ↔ Chromium',
      1000 / raw,
      'ms',
    );
    results.add(
      'tunnel_round_trip_ms',
      'GET disco-configuration via relay → device SW, round trip',
      1000 / tunnel,
      'ms',
      'raw_echo_round_trip_ms',
    );
    results.ratio(
      'tunnel_over_raw_echo',
      'GET through relay → device, round trip, over a raw PeerJS echo',
      'tunnel_round_trip_ms',
      'raw_echo_round_trip_ms',
    );
    results.add(
      'relay_http_leg_ms',
      'GET /healthz on the relay (the HTTP leg alone, same client)',
      1000 / httpOnly,
      'ms',
      'raw_echo_round_trip_ms',
    );
    results.add(
      'tunnel_round_trip_fetch_ms',
      'the same GET through the tunnel with fetch (undici) as the client',
      1000 / withFetch,
      'ms',
      'tunnel_round_trip_ms',
    );
    results.add(
      'tunnel_floor_over_raw_echo',
      'the HTTP leg plus one raw echo, over a raw echo: what tunnel_over_raw_echo would be with a free relay, bridge and service worker',
      (1000 / httpOnly + 1000 / raw) / (1000 / raw),
      '×',
    );
    results.ratio(
      'http_leg_over_raw_echo',
      'the HTTP leg alone (client → relay process → client), over a raw PeerJS echo: the floor of tunnel_over_raw_echo here',
      'relay_http_leg_ms',
      'raw_echo_round_trip_ms',
    );
    console.log(
      `  tunnel overhead: ${(raw / tunnel).toFixed(1)}× a raw PeerJS echo ` +
        `(the tunnel answer is ${answerBytes} B of JSON)`,
    );
    console.log(
      `  ${split('one round trip', 1000 / tunnel, { 'HTTP leg': 1000 / httpOnly, 'service worker': 1000 / swMessage, 'raw data channel': 1000 / raw })}`,
    );

    // 3. One MiB up. The device has only /disco/* endpoints and none returns a body that
    // large: POST /disco/data carries the whole MiB over the real path (RP → relay → data
    // channel in tunnel frames → page → fetch → the service worker, which reads all of it) and
    // is refused with a small 413 only then. The baseline moves the same MiB in the same number
    // of messages of TUNNEL_CHUNK_BYTES over raw PeerJS and waits for a one-byte ack.
    const mib = randomBytes(MIB);
    const dataUrl = `${proxy}/disco/data`;
    const up = await measureBytes('POST 1 MiB to /disco/data via relay (→ 413)', MIB, async () => {
      const res = await httpExchange(dataUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: mib,
      });
      if (res.status !== 413) throw new Error(`1 MiB to /disco/data: ${res.status}, not 413`);
    });
    const swUp = await inPage(
      page,
      `const body = new Uint8Array(${MIB});`,
      "fetch('/disco/data', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } }).then((r) => r.arrayBuffer())",
    );
    console.log(
      `  ${'  context: the page POSTs it to its SW'.padEnd(44)} ${rate((swUp * MIB) / 1e6)} MB/s  (${swUp.toFixed(1)} ops/s)`,
    );
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < MIB; at += TUNNEL_CHUNK_BYTES) {
      const piece = mib.subarray(at, Math.min(MIB, at + TUNNEL_CHUNK_BYTES));
      const message = new Uint8Array(piece.byteLength + 1);
      message[0] = at + TUNNEL_CHUNK_BYTES >= MIB ? 2 : 1; // the last one asks for the ack
      message.set(piece, 1);
      chunks.push(message);
    }
    const rawUp = await measureBytes(
      `raw PeerJS, 1 MiB in ${chunks.length} messages + ack (baseline)`,
      MIB,
      async () => {
        const ack = reply();
        for (const c of chunks) void conn.send(c);
        if ((await ack)[0] !== 2) throw new Error('bulk: no ack');
      },
    );
    results.add(
      'page_to_sw_upload_mb_s',
      'the page POSTs 1 MiB to its SW',
      (swUp * MIB) / 1e6,
      'MB/s',
    );
    results.add(
      'raw_upload_mb_s',
      'raw PeerJS, 1 MiB in tunnel-sized messages + ack',
      rawUp,
      'MB/s',
    );
    results.add(
      'tunnel_upload_mb_s',
      'POST 1 MiB to /disco/data via relay → device',
      up,
      'MB/s',
      'raw_upload_mb_s',
    );
    results.ratio(
      'upload_over_raw',
      '1 MiB upload through the tunnel, over raw PeerJS',
      'tunnel_upload_mb_s',
      'raw_upload_mb_s',
    );
    console.log(`  1 MiB upload through the tunnel: ${(up / rawUp).toFixed(2)}× raw PeerJS speed`);
    const perMib = (mbPerSecond: number) => (MIB / 1e6 / mbPerSecond) * 1000;
    console.log(
      `  ${split('one 1 MiB upload', perMib(up), { 'page → service worker': 1000 / swUp, 'raw data channel': perMib(rawUp) })}`,
    );
    conn.close();

    // 4. A person's click → the company has the answer (issue #16): a company paired with the
    // device asks key A over the relay's tunnel (the SDK as integrators use it); the person
    // approves in the device app; timed from the click to the SDK call's result. Median of
    // APPROVALS, next to one tunnel round trip of this run. The company's poll is held by the
    // service worker (long_poll) and answered when the page's decision reaches it.
    const approvals = await approvalToAnswer(page, stack.relay);
    const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const median = medianOf(approvals.map((a) => a.total));
    const pageMs = medianOf(approvals.map((a) => a.inPage));
    const arrivedMs = medianOf(approvals.map((a) => a.arrived));
    console.log(
      `  ${'approval click → company has the answer'.padEnd(44)} ${median.toFixed(1)} ms (median of ${approvals.length}), ${((median * tunnel) / 1000).toFixed(1)} tunnel round trips of this run`,
    );
    console.log(
      `    roughly: click → the decision leaves the page (stored) ${pageMs.toFixed(1)} ms, → the answer reaches the company's HTTP client ${(arrivedMs - pageMs).toFixed(1)} ms, the SDK opens it ${(median - arrivedMs).toFixed(1)} ms`,
    );
    results.add(
      'approval_to_answer_ms',
      `approval click (the page's click event) → the company has the answer (median of ${approvals.length})`,
      median,
      'ms',
      'tunnel_round_trip_ms',
    );
  } finally {
    clearTimeout(watchdog);
    await cleanup();
    console.log(`  (relay section took ${((performance.now() - began) / 1000).toFixed(1)} s)`);
  }
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  if (process.env[CHILD_ENV] === '1') {
    if (!loopbackOnly()) {
      console.log(`  relay bench: not in a loopback-only namespace (${interfaces().join(', ')})`);
      process.exit(1);
    }
    try {
      const results = new Results();
      await measureRelay(results);
      const figures = process.env[FIGURES_ENV];
      if (figures) writeFileSync(figures, JSON.stringify(results.resolved()));
      process.exit(0); // PeerJS and node-datachannel keep handles open
    } catch (err) {
      console.log(`  relay bench failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  } else await relaySection();
}
