import { parseArgs } from 'node:util';
import {
  guardProcess,
  jsonLogger,
  relayOptionsFromEnv,
  sampledLog,
  startRelay,
} from './relay/index.js';
import { PeerDeviceLink } from './peer/peer_device_link.js';
import { loadOrCreateIdentity } from './nodetrust/identity_file.js';
import { startTlsFront } from './nodetrust/tls_front.js';

/**
 * `npm run relay -- [--host 127.0.0.1] [--port 8711] [--public-url https://relay.example]`: the
 * relay alone, for deployments. Everything else by environment (DISCO_RELAY_*, docs/wire/relay.md);
 * flags win over the environment. NODE_ENV=production refuses the dev/test switches.
 * `--nodetrust <issue server URL> [--tls-port P]`: a nodetrust certificate for this relay's
 * ip4/ip6 names, HTTPS and WSS on the TLS port (renewed before expiry), which becomes the public
 * URL unless --public-url says otherwise (docs/wire/nodetrust.md, "A relay on a bare address").
 * `--nodetrust-key <file>`: the relay's Ed25519 identity (made there at first use), so the peer id
 * its signed discovery record is found by stays the same across restarts.
 */
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.DISCO_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.DISCO_RELAY_PORT ?? '8711' },
    'public-url': { type: 'string' },
    nodetrust: { type: 'string' },
    'tls-port': { type: 'string', default: '0' },
    'nodetrust-key': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'Usage: npm run relay -- [--host H] [--port P] [--public-url URL] [--nodetrust ISSUE_URL [--tls-port P] [--nodetrust-key FILE]]   (see docs/wire/relay.md, docs/wire/nodetrust.md)',
  );
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${values.port}".`);
  process.exit(2);
}
const logger = jsonLogger();
// the TLS front needs the relay's port before the relay listens
if (values.nodetrust && port === 0) {
  console.error('--nodetrust needs a fixed --port: the TLS front forwards to it.');
  process.exit(2);
}
const front = values.nodetrust
  ? await startTlsFront({
      issueUrl: values.nodetrust,
      target: { host: values.host === '0.0.0.0' ? '127.0.0.1' : values.host, port },
      host: values.host,
      port: Number(values['tls-port']),
      ...(values['nodetrust-key']
        ? { identity: await loadOrCreateIdentity(values['nodetrust-key']) }
        : {}),
      log: (event, fields) => logger.log('info', event, fields),
    })
  : undefined;
// what the relay's own peer drops from the signalling server (a flood is sampled)
const linkDropped = sampledLog(logger, 'warn', 'signal.dropped');
const relay = await startRelay({
  ...relayOptionsFromEnv(),
  logger,
  host: values.host,
  port,
  ...(values['public-url'] || front ? { publicUrl: values['public-url'] ?? front!.url } : {}),
  // GET /.well-known/disco-relay: devices check the record the front signed
  ...(front ? { discoveryRecord: () => front.served() } : {}),
  deviceLink: async (relayUrl, r, listenUrl) => {
    // In a cluster the link's peer registers on this very process (not through the balancer,
    // which could send it anywhere); devices on other processes are reached through the
    // cluster's signalling (docs/wire/relay.md "Cluster").
    // (behind the TLS front too: its name and CA are for others, the link stays on this host)
    const url = new URL(r.clustered || front ? listenUrl : relayUrl);
    const link = new PeerDeviceLink({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      path: '/peerjs',
      secure: url.protocol === 'https:',
      // the TURN server of DISCO_RELAY_TURN_*, with fresh credentials for every data connection
      iceServers: () => r.iceConfig().iceServers,
      iceTransportPolicy: r.iceConfig().iceTransportPolicy,
      // one process knows at once whether a device is there; a cluster asked its directory
      // before the request came this far (the tunnel's device check)
      ...(r.clustered ? {} : { isRegistered: (peerId: string) => r.hasPeer(peerId) }),
      onSignalDropped: (reason) => linkDropped({ peer: 'relay-link', reason }),
    });
    await link.start();
    return link;
  },
});
// from here on, nothing a stranger sends may end the process (issue #12.9)
guardProcess(logger);
console.log(
  `Disco relay listening on ${relay.url} (public URL ${relay.publicUrl})${relay.relay.clustered ? ', in a cluster' : ''}`,
);
if (front) {
  console.log(
    `Nodetrust peer ${front.peer}, discovery record ${front.record() ? `TXT ${front.recordName}` : 'not published (the issue server offers no place)'}`,
  );
}
// DISCO_RELAY_DRAIN_MS (a cluster sets it): /healthz answers 503 that long before the relay
// closes, so the balancer's health checks take this process out first
const drainMs = Number(process.env.DISCO_RELAY_DRAIN_MS ?? '0') || 0;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  relay.relay.drain();
  void new Promise((r) => setTimeout(r, drainMs))
    .then(() => Promise.all([relay.close(), front?.close()]))
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
