// The load generator of the cluster bench (bench/cluster.ts), a child process of its own so that
// neither its sockets nor its device count in the memory or CPU of the process that measures.
// Driven over IPC, one command at a time, each answered once:
// - { kind: 'connect', url, count } opens `count` more idle PeerJS signalling sockets to `url` (a
//   `ws:` URL ending in the PeerJS path) and answers once each got PeerJS's OPEN. Each is a
//   device with a valid peer token (its own Ed25519 key, as the device app makes it), also for a
//   bare PeerServer, which checks none but keeps the same id and token per client. Each socket
//   sends PeerJS's HEARTBEAT every 5 s, as the PeerJS client does.
// - { kind: 'serve', url } serves one more device (the SDK's Node peer, node-datachannel) at `url`'s
//   signalling and answers its peer id; it answers every tunnelled request with a small JSON body.
// - { kind: 'disconnect' } closes the idle sockets (after a warm-up) and answers once they are.
// - { kind: 'close' } closes everything and exits.
import WebSocket from 'ws';
import { utf8 } from '../src/protocol/encoding/index.js';
import { serveDevice, type ServedDevice } from '../src/server/peer/serve_device.js';
import { makeDevice } from '../src/server/relay/testing.js';

export type LoadCommand =
  | { kind: 'connect'; url: string; count: number }
  | { kind: 'serve'; url: string }
  | { kind: 'disconnect' }
  | { kind: 'close' };
export type LoadAnswer =
  | { kind: 'connected'; open: number; failed: number }
  | { kind: 'served'; peerId: string }
  | { kind: 'error'; message: string };

/** Sockets opened at once: enough to keep the relay busy, few enough not to time out. */
const IN_FLIGHT = 64;
const HEARTBEAT_MS = 5000;

const sockets: WebSocket[] = [];
const served: ServedDevice[] = [];

function openOne(base: string): Promise<boolean> {
  return (async () => {
    const device = await makeDevice();
    const token = await device.token(Date.now());
    const url = `${base}?key=peerjs&id=${device.peerId}&token=${encodeURIComponent(token)}`;
    return new Promise<boolean>((done) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => (socket.terminate(), done(false)), 30_000);
      socket.once('message', (data: Buffer) => {
        clearTimeout(timer);
        const ok = (JSON.parse(data.toString()) as { type?: string }).type === 'OPEN';
        if (ok) sockets.push(socket);
        else socket.terminate();
        done(ok);
      });
      socket.once('error', () => (clearTimeout(timer), done(false)));
    });
  })();
}

async function connect(url: string, count: number): Promise<LoadAnswer> {
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      if (!(await openOne(url))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  return { kind: 'connected', open: sockets.length, failed };
}

async function disconnect(): Promise<LoadAnswer> {
  const closing = sockets.splice(0);
  await Promise.all(
    closing.map((s) => new Promise((closed) => (s.once('close', closed), s.close()))),
  );
  return { kind: 'connected', open: 0, failed: 0 };
}

async function serve(url: string): Promise<LoadAnswer> {
  const device = await makeDevice();
  const u = new URL(url);
  let n = 0;
  const one = await serveDevice({
    host: u.hostname,
    port: Number(u.port),
    path: '/peerjs',
    id: device.peerId,
    token: await device.token(Date.now()),
    handle: (req) =>
      Promise.resolve({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: utf8.encode(JSON.stringify({ path: req.path, n: n++ })),
      }),
  });
  served.push(one);
  return { kind: 'served', peerId: device.peerId };
}

setInterval(() => {
  for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send('{"type":"HEARTBEAT"}');
}, HEARTBEAT_MS);

process.on('message', (command: LoadCommand) => {
  if (command.kind === 'close') {
    for (const s of sockets) s.terminate();
    for (const d of served) d.close();
    process.exit(0);
  }
  const work =
    command.kind === 'connect'
      ? connect(command.url, command.count)
      : command.kind === 'disconnect'
        ? disconnect()
        : serve(command.url);
  void work.then(
    (answer) => process.send!(answer),
    (err: unknown) => process.send!({ kind: 'error', message: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
