import { startLocalPeerServer } from './local_peer_server.js';
import { createNodePeer } from './node_peer.js';
const N = Number(process.argv[2] ?? 60);
const srv = await startLocalPeerServer({});
const sig = { host: srv.host, port: srv.port, path: srv.path, bindAddress: '127.0.0.1' };
const relay = await createNodePeer({ ...sig, id: 'relay-l' });
const dev = await createNodePeer({ ...sig, id: 'dev-l' });
let stalls = 0, slow = 0;
relay.on('error', (e) => console.log('relay err', e.type, String(e.message).slice(0, 200)));
dev.on('error', (e) => console.log('dev err', e.type, String(e.message).slice(0, 200)));
for (let i = 0; i < N; i++) {
  const t0 = Date.now();
  const c = relay.connect('dev-l', { serialization: 'raw', reliable: true });
  let ice = '';
  c.on('iceStateChanged', (s) => (ice += s + ','));
  const ok = await Promise.race([new Promise((r) => c.on('open', () => r(true))), new Promise((r) => setTimeout(() => r(false), 3000))]);
  const dt = Date.now() - t0;
  if (!ok) { stalls++; console.log('stall', i, ice, (c.peerConnection as any)?.connectionState); }
  else if (dt > 500) slow++;
  c.close();
  await new Promise((r) => setTimeout(r, 20));
}
console.log({ N, stalls, slow });
process.exit(0);
