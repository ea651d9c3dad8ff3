// Run by data_channel.test.ts in a child process of its own: node-datachannel's native close can
// block the thread that calls it (a blocked Vitest worker hung a CI run with no test named), and
// a child can be killed at a deadline where a blocked worker cannot. Prints one JSON line:
// `{ results: string[], candidates: string[][] }`.
//
// argv[2]: JSON { urls, secret, label?, count, timeoutMs }.
import { loadPeerJs, rtcConfig } from '../peer/node_peer.js';
import { turnCredentials } from './credentials.js';

interface Probe {
  urls: string[];
  secret: string;
  /** One username for every connection, or new credentials at every read when absent. */
  label?: string;
  count: number;
  timeoutMs: number;
}

const probe = JSON.parse(process.argv[2] ?? '{}') as Probe;
let n = 0;
const iceServers = () => [
  {
    urls: probe.urls,
    ...turnCredentials(probe.secret, probe.label ?? `c${n++}`, Math.floor(Date.now() / 1000) + 600),
  },
];

/**
 * Candidates go to the other side once its remote description is set: one that arrives before
 * is queued, not lost (with relayed candidates only, a lost one is a connection that never opens).
 */
function trickle(from: RTCPeerConnection, to: RTCPeerConnection, seen: string[]) {
  const queued: RTCIceCandidate[] = [];
  let ready = false;
  const add = (c: RTCIceCandidate) => void to.addIceCandidate(c).catch(() => undefined);
  from.onicecandidate = (e) => {
    if (!e.candidate) return;
    seen.push(e.candidate.candidate);
    if (ready) add(e.candidate);
    else queued.push(e.candidate);
  };
  return () => {
    ready = true;
    queued.splice(0).forEach(add);
  };
}

async function connectThroughTurn() {
  const config = () =>
    rtcConfig({
      host: '127.0.0.1',
      port: 1,
      path: '/',
      iceServers,
      iceTransportPolicy: 'relay',
      bindAddress: '127.0.0.1',
    });
  const a = new RTCPeerConnection(config());
  const b = new RTCPeerConnection(config());
  const candidates: string[] = [];
  const toB = trickle(a, b, candidates);
  const toA = trickle(b, a, []);
  const channel = a.createDataChannel('tunnel');
  const received = new Promise<string>((resolve) => {
    b.ondatachannel = (e) => (e.channel.onmessage = (m) => resolve(String(m.data)));
  });
  channel.onopen = () => channel.send('sealed envelope');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  toB();
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  toA();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    received,
    new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve('no message'), probe.timeoutMs)),
    ),
  ]);
  clearTimeout(timer);
  a.close();
  b.close();
  return { result, candidates };
}

await loadPeerJs(); // installs the RTCPeerConnection that encodes credentials for libdatachannel
const results: string[] = [];
const candidates: string[][] = [];
for (let i = 0; i < probe.count; i++) {
  const one = await connectThroughTurn();
  results.push(one.result);
  candidates.push(one.candidates);
}
process.stdout.write(`${JSON.stringify({ results, candidates })}\n`);
// node-datachannel keeps native threads alive; the answer is written, so end here.
process.exit(0);
