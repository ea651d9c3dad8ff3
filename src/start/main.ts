import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { serveApp } from '../server/app/serve_app.js';
import { listen } from '../server/listen.js';
import {
  guardProcess,
  jsonLogger,
  localStackSwitches,
  relayOptionsFromEnv,
  sampledLog,
  startRelay,
} from '../server/relay/index.js';
import { PeerDeviceLink } from '../server/peer/peer_device_link.js';
import { findTurnserver, startCoturn, type LocalTurnServer } from '../server/turn/coturn.js';
import { startNodetrust, type Nodetrust } from '../server/nodetrust/start_nodetrust.js';
import { startRelayHttps, type RelayHttps } from './relay_https.js';
import { startDemos } from '../demo/index.js';
import { startNotes } from '../demo/notes/notes.js';
import { startTestIdp } from '../demo/test_idp/test_idp.js';
import { startTestReplica } from '../demo/test_idp/test_replica.js';

/**
 * The composition root of `npm start`: it sits above src/server and src/demo (docs/layout.md),
 * so that the relay never imports the demos. `npm start`: one process for everything Disco runs locally — the device app, the relay (with
 * its PeerJS signalling and its WebRTC link to devices) and the demo relying parties — on
 * 127.0.0.1 unless told otherwise. Environment: DISCO_HOST, DISCO_APP_PORT (8710),
 * DISCO_RELAY_PORT (8711), DISCO_SHOP_PORT (8712), DISCO_COURIER_PORT (8713), DISCO_APP_DIR
 * (./dist), DISCO_DATA_DIR (./.cache), DISCO_RELAY_TAMPER=1 (tests only: the relay flips a byte
 * of every tunnelled request), DISCO_TURN=0 (no local TURN server; data channels then need a
 * browser started with WebRTC-on-loopback flags). With Debian's coturn installed (`npm start`
 * installs it when run as root), a TURN server runs on DISCO_HOST too, on a free port, and all
 * data channels go through it: that is what lets an everyday browser reach the relay on
 * 127.0.0.1, where WebRTC's direct paths are refused. With Debian's pebble installed, nodetrust
 * runs too (docs/wire/nodetrust.md: DNS, proof and issue servers, pebble as the CA), always on
 * 127.0.0.1; DISCO_NODETRUST=0 turns it off. With nodetrust, the relay also gets a certificate for
 * its `ip4127-0-0-1.<zone>` name and serves HTTPS on 127.0.0.1, DISCO_RELAY_TLS_PORT (8716), next
 * to its plain http port (src/start/relay_https.ts).
 *
 * This is a development stack: unless NODE_ENV=production it allows callbacks to loopback
 * addresses (and DISCO_RELAY_TAMPER=1 works), which is safe only while everything is bound to
 * 127.0.0.1 (the default). With another DISCO_HOST it says so at start (`localStackSwitches`).
 */
const env = process.env;

let started = false;
process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
  if (started) return; // guardProcess logs it: a running relay does not exit for one error
  if (err.code === 'EADDRINUSE') {
    console.error(`\nA port Disco needs is taken (${err.message.replace(/^.*in use /, '')}).`);
    console.error(
      'Stop the other program, or choose ports with DISCO_APP_PORT, DISCO_RELAY_PORT, DISCO_SHOP_PORT, DISCO_COURIER_PORT.',
    );
  } else console.error(err);
  process.exit(1);
});
const host = env.DISCO_HOST ?? '127.0.0.1';
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const dataDir = resolve(env.DISCO_DATA_DIR ?? '.cache');
const switches = localStackSwitches(env, host);
const logger = jsonLogger();
// what the relay's own peer drops from the signalling server (a flood is sampled)
const linkDropped = sampledLog(logger, 'warn', 'signal.dropped');
if (switches.exposed)
  console.warn(
    `DISCO_HOST=${host} is not a loopback address, yet the development switches are on (callbacks to loopback addresses are allowed). Set NODE_ENV=production for anything others can reach.`,
  );

let turn: LocalTurnServer | undefined;
const envOptions = relayOptionsFromEnv();
if (!envOptions.turn && env.DISCO_TURN !== '0') {
  if (findTurnserver()) turn = await startCoturn({ host: host === '0.0.0.0' ? '127.0.0.1' : host });
  else
    console.warn(
      'coturn is not installed, so there is no TURN server: companies will not reach a device in an everyday browser (see README, "WebRTC").',
    );
}

let nodetrust: Nodetrust | undefined;
const caRootFile = resolve(dataDir, 'nodetrust', 'ca-root.pem');
let deviceTrustAnchors: string[] = [];
if (env.DISCO_NODETRUST !== '0') {
  try {
    // loopback only: pebble's VA and the DNS server are for this machine
    nodetrust = await startNodetrust({ host: '127.0.0.1' });
    const root = await nodetrust.ca.pebble?.rootCertificate();
    if (root) {
      deviceTrustAnchors = [root];
      // pebble makes a new root at every start: companies (and browsers) trust it from here
      await mkdir(resolve(dataDir, 'nodetrust'), { recursive: true });
      await writeFile(caRootFile, root);
    }
  } catch (err) {
    console.warn(
      `Nodetrust is not running (${(err as Error).message}): devices cannot get a certificate. Install Debian's pebble (npm start does so when run as root).`,
    );
  }
}

let relayHttps: RelayHttps | null = null;
const relay = await startRelay({
  ...envOptions,
  // GET /.well-known/disco-relay: the signed record of the HTTPS front, once it has one
  discoveryRecord: () => relayHttps?.served() ?? null,
  ...(turn ? { turn: { urls: turn.urls, secret: turn.secret } } : {}),
  host,
  port: port('DISCO_RELAY_PORT', 8711),
  logger,
  production: switches.production,
  allowLoopbackCallbacks: switches.allowLoopbackCallbacks,
  tamperForTests: switches.tamperForTests,
  deviceLink: async (relayUrl, relay, listenUrl) => {
    // behind a TLS front or proxy (DISCO_RELAY_PUBLIC_URL) the relay's own peer stays on this host
    const url = new URL(env.DISCO_RELAY_PUBLIC_URL ? listenUrl : relayUrl);
    const ice = relay.iceConfig();
    const link = new PeerDeviceLink({
      host: url.hostname,
      port: Number(url.port),
      path: '/peerjs',
      // the relay's own TURN credentials, fresh for every data connection
      iceServers: () => relay.iceConfig().iceServers,
      iceTransportPolicy: ice.iceTransportPolicy,
      // A device that is not connected to this relay fails at once, not after a timeout.
      isRegistered: (peerId) => relay.hasPeer(peerId),
      onSignalDropped: (reason) => linkDropped({ peer: 'relay-link', reason }),
      ...(host === '0.0.0.0' ? {} : { bindAddress: host }),
    });
    await link.start();
    return link;
  },
});
// the HTTPS front asks the CA meanwhile: the rest does not wait for it
const relayHttpsStarting = startRelayHttps({
  nodetrust,
  target: {
    host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
    port: Number(new URL(relay.url).port),
  },
  port: port('DISCO_RELAY_TLS_PORT', 8716),
  keyFile: resolve(dataDir, 'nodetrust', 'relay.key'),
  log: (event, fields) => logger.log('info', event, fields),
});
// Internet Identity cannot be reached here: a test identity provider and a test replica stand in
// for identity.internetcomputer.org and the IC (src/demo/test_idp; docs/ic.md "Sign-in").
const idp = await startTestIdp({ host, port: port('DISCO_IDP_PORT', 8715) });
const replica = await startTestReplica();
const app = await listen(
  serveApp(resolve(env.DISCO_APP_DIR ?? 'dist'), {
    internetComputer: {
      identityProviderUrl: idp.url,
      icHost: replica.url,
      icRootKey: Buffer.from(replica.rootKey).toString('hex'),
      icRootSubnetId: replica.subnetId,
    },
    relayUrl: relay.publicUrl,
    ...(nodetrust
      ? { nodetrust: { issueUrl: nodetrust.issueUrl, proofUrls: nodetrust.proofUrls } }
      : {}),
  }),
  port('DISCO_APP_PORT', 8710),
  host,
);
const demos = await startDemos({
  relayUrl: relay.publicUrl,
  host,
  shopPort: port('DISCO_SHOP_PORT', 8712),
  courierPort: port('DISCO_COURIER_PORT', 8713),
  dataDir: resolve(dataDir, 'demo'),
  deviceTrustAnchors,
});
const notes = await startNotes({
  relayUrl: relay.publicUrl,
  deviceUrl: app.url,
  host,
  port: port('DISCO_NOTES_PORT', 8714),
});

started = true;
guardProcess(logger);
// The HTTPS front waits on the CA (seconds, more on a loaded machine): everything else is ready
// now, so Disco says so, and the front's lines follow when it has its certificate.
console.log(`Disco is running.

  Device app      ${app.url}/
  Relay           ${relay.publicUrl}/   (health: ${relay.publicUrl}/healthz)
${nodetrust ? '  Relay (HTTPS)   starting: asking the CA for its certificate (its address follows below)' : (await relayHttpsStarting).lines}
  TURN            ${turn ? turn.urls[0] : 'none (coturn is not installed)'}
  Demo shop       ${demos.shopUrl}/
  Demo courier    ${demos.courierUrl}/
  Demo notes      ${notes.url}/   (capability certificates)
  Test identity   ${idp.url}/   (stands in for Internet Identity; IC replica ${replica.url})
${nodetrustLines(nodetrust)}

Open the device app in your browser and set it up, then open the shop and click "Connect with
Disco".
Press Ctrl+C to stop.`);
void relayHttpsStarting.then((front) => {
  relayHttps = front;
  if (stopping) void front.close();
  else if (nodetrust) console.log(`\n${front.lines}`);
});

/** One line per nodetrust server (docs/wire/nodetrust.md), or why there is none. */
function nodetrustLines(nt: Nodetrust | undefined): string {
  if (!nt)
    return `  Nodetrust       none (${env.DISCO_NODETRUST === '0' ? 'DISCO_NODETRUST=0' : 'pebble is not installed'})`;
  return [
    `  Nodetrust issue ${nt.issueUrl}/`,
    ...nt.proofUrls.map((url) => `  Nodetrust proof ${url}/`),
    `  DNS  ${nt.dns.host}:${nt.dns.port}  zone ${nt.zone}`,
    `  CA              ${nt.ca.directoryUrl}${nt.ca.pebble ? `   (pebble, root in ${caRootFile})` : ''}`,
  ].join('\n');
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void Promise.allSettled([
    demos.close(),
    notes.stop(),
    idp.stop(),
    replica.stop(),
    app.close(),
    relay.close(),
    relayHttps?.close(),
  ])
    .then(() => turn?.close())
    .then(() => nodetrust?.stop())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
