// The nodetrust section of `npm run bench` (issue #10): figures, not assertions, on 127.0.0.1 only.
//
// - DNS queries per second over UDP: the nodetrust DNS server (src/server/nodetrust/dns/) in a
//   child process of its own, loaded by a Node UDP generator here that keeps IN_FLIGHT queries
//   outstanding (an `A` for an `ip4` name, a `TXT` for a `p` name, alternating) and counts only
//   answers that are NOERROR with one record. Next to it, in the same run and with the same
//   generator and packets, a bare `dgram` echo server in its own child: the floor any UDP server
//   in Node sits on, so the ratio says what parsing, answering and encoding cost.
// - Issue time: `obtainCertificate` (src/server/nodetrust/client.ts: info, proofs from both proof
//   servers, the signed issue request with a P-256 CSR, ACME DNS-01 against Debian's pebble through
//   our DNS server) from the call to the chain in hand, median of ISSUES runs. Skipped without
//   pebble (`apt-get install -y pebble`).
//
// `tsx bench/nodetrust.ts --serve dns|echo` is the child: it prints `PORT <n>` and serves until
// its standard input closes.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import dnsPacket from 'dns-packet';
import { peerIdOfEd25519, peerLabel } from '../src/protocol/nodetrust/index.js';
import type { Results } from './results.js';

const ROOT = resolve(import.meta.dirname, '..');
const ZONE = 'nodetrust.disco.test';
const RUN_MS = 3000;
const WARMUP_MS = 500;
const IN_FLIGHT = 64;
const ISSUES = 3;

/** The child: one server on 127.0.0.1 until stdin closes. */
async function serve(kind: string): Promise<void> {
  let port: number;
  let close: () => Promise<void> | void;
  if (kind === 'dns') {
    const { startDnsServer } = await import('../src/server/nodetrust/dns/dns_server.js');
    const dns = await startDnsServer({ zone: ZONE });
    port = dns.port;
    close = () => dns.close();
  } else {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
    await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
    port = socket.address().port;
    close = () => void socket.close();
  }
  console.log(`PORT ${port}`);
  process.stdin.resume();
  process.stdin.once('end', () => void Promise.resolve(close()).then(() => process.exit(0)));
}

async function startChild(kind: 'dns' | 'echo'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), import.meta.filename, '--serve', kind],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${kind} server did not start`)), 30_000);
    lines.on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`${kind} server exited (${code})`)));
  });
  return { port, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((ok) => child.once('exit', ok));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** 256 queries with distinct ids, half `A ip4…`, half `TXT p…`: sent again and again. */
function queries(): Buffer[] {
  const peer = peerIdOfEd25519(new Uint8Array(32).fill(5));
  return Array.from({ length: 256 }, (_, id) =>
    dnsPacket.encode({
      id,
      type: 'query',
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [
        id % 2 === 0
          ? { type: 'A', name: `ip4192-0-2-${id % 250}.${ZONE}` }
          : { type: 'TXT', name: `${peerLabel(peer)}.${ZONE}` },
      ],
    }),
  );
}

/** NOERROR with exactly one answer record (RFC 1035 §4.1.1: RCODE low bits, ANCOUNT). */
const answered = (reply: Buffer) =>
  reply.length >= 12 && (reply.readUInt16BE(2) & 0x000f) === 0 && reply.readUInt16BE(6) === 1;

/**
 * Replies per second that `accept` accepts, with IN_FLIGHT queries outstanding; a window that
 * gets no reply for 50 ms (a datagram lost under load) is refilled.
 */
async function load(port: number, accept: (reply: Buffer) => boolean): Promise<number> {
  const packets = queries();
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
  let next = 0;
  let counting = false;
  let count = 0;
  let outstanding = 0;
  let replied = false;
  const send = () => {
    outstanding++;
    socket.send(packets[next++ % packets.length]!, port, '127.0.0.1');
  };
  socket.on('message', (reply) => {
    outstanding--;
    replied = true;
    if (counting && accept(reply)) count++;
    send();
  });
  const refill = setInterval(() => {
    if (!replied) outstanding = 0;
    replied = false;
    while (outstanding < IN_FLIGHT) send();
  }, 50);
  while (outstanding < IN_FLIGHT) send();
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  counting = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  counting = false;
  const perSecond = (count * 1000) / (performance.now() - start);
  clearInterval(refill);
  socket.close();
  return perSecond;
}

async function dnsFigures(results: Results): Promise<void> {
  const echo = await startChild('echo');
  let echoRate: number;
  try {
    echoRate = await load(echo.port, () => true);
  } finally {
    await stopChild(echo.child);
  }
  const dns = await startChild('dns');
  let dnsRate: number;
  try {
    dnsRate = await load(dns.port, answered);
  } finally {
    await stopChild(dns.child);
  }
  const line = (name: string, v: number) =>
    console.log(`  ${name.padEnd(60)} ${v.toFixed(0).padStart(8)} /s`);
  line('bare dgram echo, same generator and packets', echoRate);
  line(`nodetrust DNS server, A ip4… / TXT p…, ${IN_FLIGHT} in flight`, dnsRate);
  results.add(
    'udp_echo_qps',
    'bare dgram echo server (own process), same UDP generator and packets',
    echoRate,
    'ops/s',
  );
  results.add(
    'nodetrust_dns_udp_qps',
    `nodetrust DNS server (own process) over UDP, A ip4… / TXT p… answered, ${IN_FLIGHT} in flight`,
    dnsRate,
    'ops/s',
    'udp_echo_qps',
  );
  const ratio = results.ratio(
    'nodetrust_dns_over_udp_echo',
    'nodetrust DNS answers per second over a bare dgram echo',
    'nodetrust_dns_udp_qps',
    'udp_echo_qps',
  );
  console.log(`  ratio DNS server / echo: ${ratio.toFixed(2)}`);
}

const ISSUE_NAME = `obtainCertificate against pebble (info, 2 proofs, issue, ACME DNS-01), median of ${ISSUES}`;

async function issueFigure(results: Results): Promise<void> {
  if (!existsSync('/usr/bin/pebble')) {
    const skipped = "needs Debian's pebble (apt-get install -y pebble)";
    console.log(`  issue time skipped: ${skipped}`);
    results.figures.nodetrust_issue_ms = { name: ISSUE_NAME, value: null, unit: 'ms', skipped };
    return;
  }
  const { startNodetrust } = await import('../src/server/nodetrust/start_nodetrust.js');
  const { obtainCertificate } = await import('../src/server/nodetrust/client.js');
  const nt = await startNodetrust({ rateLimits: { proofPerMinute: 0, issuePerMinute: 0 } });
  try {
    const times: number[] = [];
    for (let i = 0; i < ISSUES; i++) {
      const identity = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
      const start = performance.now();
      await obtainCertificate({ issueUrl: nt.issueUrl, identity });
      times.push(performance.now() - start);
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(
      `  ${'get a certificate → chain in hand (pebble), median'.padEnd(60)} ${median.toFixed(0).padStart(8)} ms  (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms)`,
    );
    results.add('nodetrust_issue_ms', ISSUE_NAME, median, 'ms');
  } finally {
    await nt.stop();
  }
}

/** The section: DNS figures always, the issue time when pebble is installed. */
export async function nodetrustSection(results: Results): Promise<void> {
  console.log('\nNodetrust (DNS server over UDP next to a bare echo; issue time against pebble)');
  await dnsFigures(results);
  await issueFigure(results);
}

if (process.argv[2] === '--serve') await serve(process.argv[3] ?? 'echo');
