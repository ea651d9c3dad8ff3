import { Peer, type DataConnection } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  fetchIceConfig,
  makePeerToken,
  peerIdOf,
  readsInlineBodies,
  type IceConfig,
  type TunnelRequest,
  type TunnelResponse,
} from '../../protocol/tunnel/index.js';
import { PATHS } from '../../protocol/messages/paths.js';
import { TunnelServer } from '../../protocol/tunnel/tunnel_server.js';
import { parsePairingCode, PAIRINGS, type PairingRecord } from '../../protocol/pairing/pairing.js';
import { checkRelayUrl } from '../../protocol/pairing/relay_url.js';
import { parseCertificate } from '../../protocol/x509/index.js';
import { loadDevice } from '../../protocol/identity/index.js';
import { COLLECTIONS, type ClientRecord } from '../../protocol/auth/records.js';
import type { IdbStore } from '../../browser/idb_store.js';
import { WorkerEngine } from './worker_engine.js';
import { certificatePresentation, deviceCertificate } from './device_certificate.svelte.js';

/**
 * `replaced`: this device's identity connected again elsewhere (a restored backup opened on
 * another browser, or a second tab): the newest connection wins, and this one stops listening
 * until the person says "Use this one" (`takeBack`), instead of the two taking turns forever.
 */
export type RelayStatus = 'off' | 'connecting' | 'connected' | 'reconnecting' | 'replaced';

/** What the relay says to a socket it closes because the same device connected again. */
export const REPLACED_MESSAGE = 'DISCO_REPLACED';
/**
 * Whether companies can actually reach the device through the relay: `checking` until a request
 * has come through the relay's tunnel (the self-check after every connection), `open` once one
 * has, `blocked` when the data channel could not be opened (WebRTC blocked in this browser or
 * network, or no TURN server) although signalling works.
 */
export type ChannelStatus = 'checking' | 'open' | 'blocked';
const SETTINGS = 'settings';
const RELAY_KEY = 'relay_url';
const MAX_BACKOFF_MS = 30_000;
/** Ask for new TURN credentials this long before the old ones expire. */
const ICE_REFRESH_MARGIN_MS = 5 * 60_000;
/** While blocked, check again this often (a network change may have fixed it). */
const RECHECK_MS = 30_000;
const NO_ICE: IceConfig = { iceServers: [], iceTransportPolicy: 'all', expiresAt: Infinity };

/**
 * The relay bridge (DESIGN.md "the parts"): the page holds the device's PeerJS peer — WebRTC is
 * not available in service workers — and turns each tunnelled request into `fetch('/disco/…')`,
 * which the service worker answers. The peer id derives from the identity key and the relay
 * accepts it only with a token signed by that key; every (re)connection makes a fresh token.
 */
export class Relay {
  status = $state<RelayStatus>('off');
  channel = $state<ChannelStatus>('checking');
  url = $state('');
  error = $state('');
  #peer: Peer | undefined;
  #store: IdbStore | undefined;
  #retries = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #iceTimer: ReturnType<typeof setTimeout> | undefined;
  #checkTimer: ReturnType<typeof setTimeout> | undefined;
  #ice: IceConfig = NO_ICE;
  #stopped = true;
  #generation = 0;
  /** The second of the last peer token made (see #connect). */
  #tokenSecond = 0;

  async start(store: IdbStore): Promise<void> {
    this.#store = store;
    this.url = (await store.get<string>(SETTINGS, RELAY_KEY)) ?? (await defaultRelay()) ?? '';
    this.#stopped = false;
    // the device certificate's renewal runs while the app is open, not only on Settings
    void deviceCertificate.start(store).catch(() => undefined);
    if (this.url) await this.#connect();
  }

  async setUrl(input: string): Promise<void> {
    const url = checkRelayUrl(input);
    await this.#store?.write([{ op: 'put', collection: SETTINGS, key: RELAY_KEY, value: url }]);
    this.url = url;
    this.stop();
    this.#stopped = false;
    await this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
    clearTimeout(this.#iceTimer);
    clearTimeout(this.#checkTimer);
    this.#peer?.destroy();
    this.#peer = undefined;
    this.status = 'off';
  }

  async #connect(): Promise<void> {
    if (this.#stopped || !this.#store) return;
    const device = await loadDevice(this.#store);
    if (!device) return;
    this.status = this.#retries ? 'reconnecting' : 'connecting';
    this.channel = 'checking';
    const url = new URL(this.url);
    await this.#refreshIce();
    // The relay lets each peer token in once, and a token is the same for the same second
    // (Ed25519 is deterministic): a reconnection within that second waits for the next.
    const wait = (this.#tokenSecond + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
    if (this.#stopped) return;
    this.#tokenSecond = Math.floor(Date.now() / 1000);
    const token = await makePeerToken(
      device.keys.signing,
      device.identity.signingJwk,
      device.identity.deviceId,
      this.#tokenSecond * 1000,
    );
    this.#peer?.destroy();
    const peer = new Peer(peerIdOf(device.identity.deviceId), {
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      path: '/peerjs',
      secure: url.protocol === 'https:',
      key: 'peerjs',
      token,
      debug: 0,
      // Only the relay's own STUN/TURN servers (never PeerJS's public defaults), read afresh
      // for every data connection: PeerJS passes this object to each new RTCPeerConnection.
      config: this.#rtcConfig(),
    });
    this.#peer = peer;
    peer.on('open', () => {
      this.status = 'connected';
      this.error = '';
      this.#retries = 0;
      void this.#selfCheck(peer);
    });
    peer.on('connection', (conn) => this.#serve(conn));
    peer.on('disconnected', () => this.#retry(peer));
    peer.on('error', (err) => {
      // About one data connection, not the relay: anyone can cause these (open a connection to
      // this device, then send it a bad answer), and the peer is still fine. Reconnecting would
      // drop every connection of the device at a stranger's word (issue #12.13).
      if (err.type === 'webrtc' || err.type === 'peer-unavailable') return;
      if (err.type === 'server-error' && String(err.message).includes(REPLACED_MESSAGE)) {
        this.#replaced(peer);
        return;
      }
      this.error =
        err.type === 'unavailable-id'
          ? 'The relay refused this device.'
          : 'The relay cannot be reached.';
      this.#retry(peer);
    });
  }

  /** An RTCConfiguration whose ICE members are this relay's current ones when read. */
  #rtcConfig(): RTCConfiguration {
    const config = {} as RTCConfiguration;
    Object.defineProperties(config, {
      iceServers: { enumerable: true, get: () => this.#ice.iceServers },
      iceTransportPolicy: { enumerable: true, get: () => this.#ice.iceTransportPolicy },
    });
    return config;
  }

  /**
   * Gets the relay's ICE servers (`GET /ice-servers`) and schedules the next refresh before the
   * TURN credentials expire. A relay that has none, or cannot say, leaves the last ones (or none).
   */
  async #refreshIce(): Promise<void> {
    clearTimeout(this.#iceTimer);
    const generation = this.#generation;
    try {
      const ice = await fetchIceConfig(this.url, fetch, () => Date.now());
      if (generation !== this.#generation) return;
      this.#ice = ice;
    } catch {
      // signalling will tell whether the relay is reachable; data channels then use what we have
    }
    const wait = Math.max(60_000, this.#ice.expiresAt - Date.now() - ICE_REFRESH_MARGIN_MS);
    if (Number.isFinite(wait) && !this.#stopped)
      this.#iceTimer = setTimeout(() => void this.#refreshIce(), Math.min(wait, 2 ** 31 - 1));
  }

  /**
   * Asks this device's configuration through the relay's tunnel, exactly as a company would:
   * relay → WebRTC data channel → this page → service worker. Signalling alone ("Online") says
   * nothing about whether a data channel can be opened; this does.
   */
  #failedChecks = 0;

  async #selfCheck(peer: Peer): Promise<void> {
    const proxied = `${this.url}/p/${peer.id}${PATHS.configuration}`;
    let ok = false;
    try {
      const res = await fetch(proxied, { cache: 'no-store' });
      ok = res.ok;
    } catch {
      ok = false;
    }
    if (peer !== this.#peer || this.#stopped) return;
    if (ok) {
      this.channel = 'open';
      this.#failedChecks = 0;
      return;
    }
    if (this.channel !== 'open') this.channel = 'blocked';
    clearTimeout(this.#checkTimer);
    // A first data channel that fails is often a blip (an allocation, a slow start): look again
    // soon, then less and less often (2 s, 4 s, … 30 s).
    const again = Math.min(RECHECK_MS, 2_000 * 2 ** this.#failedChecks++);
    this.#checkTimer = setTimeout(() => void this.#selfCheck(peer), again);
  }

  /** Runs the reachability check again now (the person pressed "Check again"). */
  recheck(): void {
    const peer = this.#peer;
    if (!peer || this.status !== 'connected') return;
    clearTimeout(this.#checkTimer);
    this.channel = 'checking';
    void this.#selfCheck(peer);
  }

  #replaced(peer: Peer): void {
    if (peer !== this.#peer) return;
    clearTimeout(this.#timer);
    clearTimeout(this.#checkTimer);
    // before destroy(): it emits 'disconnected' at once, and #retry must see this peer gone
    // (else it reconnects, takes the id back, and the two copies take turns)
    this.#peer = undefined;
    this.status = 'replaced';
    this.error = '';
    peer.destroy();
  }

  /** The person chose this browser: connect again, and the other copy is told in turn. */
  async takeBack(): Promise<void> {
    if (this.status !== 'replaced' || this.#stopped) return;
    this.#retries = 0;
    await this.#connect();
  }

  #retry(peer: Peer): void {
    if (this.status === 'replaced') return;
    if (this.#stopped || peer !== this.#peer) return;
    peer.destroy();
    this.status = 'reconnecting';
    clearTimeout(this.#timer);
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.#retries++);
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #serve(conn: DataConnection): void {
    // One frame per message, in order: anything else would corrupt the tunnel's framing.
    if (conn.serialization !== 'raw' || !conn.reliable) {
      conn.close();
      return;
    }
    const server = new TunnelServer({
      send: (frame) => void conn.send(frame),
      handle: (req) => forward(req),
      inlineBodies: readsInlineBodies(conn.metadata),
    });
    conn.on('open', () => {
      this.channel = 'open';
    });
    // The next connection gets new TURN credentials: coturn counts allocations per username.
    void this.#refreshIce();
    conn.on('data', (data) => {
      if (data instanceof ArrayBuffer || data instanceof Uint8Array) server.receive(data);
    });
    conn.on('close', () => server.close());
    conn.on('error', () => server.close());
  }

  /** Pairs with a company from the code it shows; returns what the person should check. */
  async pair(code: string): Promise<{
    commonName: string;
    thumbprint: string;
    confirmed: boolean;
    /** The name this device knows the company by, when it is connected already. */
    connectedAs?: string;
  }> {
    const store = this.#store;
    const device = store ? await loadDevice(store) : undefined;
    if (!store || !device)
      throw new DiscoError('ERR_IDENTITY_MISSING', 'Set up this device first.');
    if (!this.url) throw new DiscoError('ERR_INVALID_INPUT', 'Choose a relay in Settings first.');
    const parsed = parsePairingCode(code);
    if (parsed.relay && checkRelayUrl(parsed.relay) !== this.url) {
      throw new DiscoError(
        'ERR_INVALID_INPUT',
        `This code is for another relay (${parsed.relay}). Change the relay in Settings first.`,
      );
    }
    const peerId = peerIdOf(device.identity.deviceId);
    // A certified device signs this pairing with its certificate key (docs/wire/relay.md).
    const certified = await certificatePresentation(
      store,
      parsed.uid,
      device.identity.deviceId,
    ).catch(() => undefined);
    let res: Response;
    try {
      res = await fetch(`${this.url}/uid`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          uid: parsed.uid,
          device_id: device.identity.deviceId,
          peer_id: peerId,
          public_key: device.identity.signingJwk,
          proxy_url: `${this.url}/p/${peerId}/`,
          ...certified,
        }),
      });
    } catch (cause) {
      throw new DiscoError(
        'ERR_TRANSPORT_FAILED',
        'The relay cannot be reached. Check your connection.',
        { cause },
      );
    }
    const body = (await res.json().catch(() => ({}))) as {
      certificate?: string;
      challenge?: string;
      code?: string;
    };
    if (!res.ok || typeof body.certificate !== 'string' || typeof body.challenge !== 'string') {
      throw pairingRefused(body.code);
    }
    const cert = await parseCertificate(body.certificate);
    if (parsed.thumbprint && parsed.thumbprint !== cert.thumbprint) {
      throw new DiscoError(
        'ERR_CERT_UNTRUSTED',
        'The relay handed over a different company than the QR code names. Do not continue.',
      );
    }
    const record: PairingRecord = {
      thumbprint: cert.thumbprint,
      uid: parsed.uid,
      challenge: body.challenge,
      relay: this.url,
      pairedAt: Date.now(),
      confirmedOutOfBand: parsed.thumbprint !== undefined,
    };
    await store.write([{ op: 'put', collection: PAIRINGS, key: cert.thumbprint, value: record }]);
    // A company paired before and still connected asks no new connect request: say so.
    const known = (await store.list<ClientRecord>(COLLECTIONS.clients)).find(
      ({ value }) => value.certificate.thumbprint === cert.thumbprint,
    );
    return {
      commonName: cert.subjectCommonName ?? cert.subject,
      thumbprint: cert.thumbprint,
      confirmed: record.confirmedOutOfBand,
      ...(known ? { connectedAs: known.value.clientName } : {}),
    };
  }
}

/** What a person reads when the relay refuses a pairing code (docs/wire/relay.md). */
function pairingRefused(code: string | undefined): DiscoError {
  switch (code) {
    case 'ERR_PAIRING_USED':
      return new DiscoError(
        'ERR_PAIRING_USED',
        'This code has been used already. If it was not you, someone else may have typed it: ask the company for a new code.',
      );
    case 'ERR_RATE_LIMITED':
      return new DiscoError('ERR_RATE_LIMITED', 'Too many tries. Wait a minute, then try again.');
    case 'ERR_INVALID_INPUT':
    case 'ERR_TOO_LARGE':
      return new DiscoError(
        'ERR_INVALID_INPUT',
        'The relay did not accept this device. Update the app.',
      );
    case 'ERR_RELAY_BUSY':
    case 'ERR_TRANSPORT_FAILED':
      return new DiscoError('ERR_RELAY_BUSY', 'The relay is busy. Try again in a moment.');
    default:
      return new DiscoError(
        'ERR_PAIRING_UNKNOWN',
        'This pairing code is unknown or has expired. Check it, or ask the company for a new one.',
      );
  }
}

const workerEngine = new WorkerEngine();

/** Answers one tunnelled request through the service worker, which owns `/disco/*`. */
async function forward(req: TunnelRequest): Promise<TunnelResponse> {
  const path = new URL(req.path, location.origin);
  if (path.origin !== location.origin || !path.pathname.startsWith('/disco/')) {
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode('{"error":"invalid_request","code":"ERR_NOT_FOUND"}'),
    };
  }
  // On a first visit the service worker may not control the page yet: /disco/* is then the
  // server's 404. Wait for it a little rather than answer that.
  if (!navigator.serviceWorker?.controller && navigator.serviceWorker)
    await Promise.race([
      new Promise((r) =>
        navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
      ),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
  const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
  const answer = await workerEngine.request({
    method: req.method,
    path: path.pathname + path.search,
    headers: { ...req.headers },
    // A copy of exactly the body's bytes, transferred to the worker.
    ...(hasBody ? { body: req.body!.slice().buffer } : {}),
  });
  if (answer)
    return {
      status: answer.status,
      headers: { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' },
      body: new TextEncoder().encode(answer.body),
    };
  const res = await fetch(path, {
    method: req.method,
    headers: req.headers,
    ...(hasBody ? { body: req.body as Uint8Array<ArrayBuffer> } : {}),
  });
  return {
    status: res.status,
    headers: { 'content-type': res.headers.get('content-type') ?? 'application/octet-stream' },
    body: new Uint8Array(await res.arrayBuffer()),
  };
}

/** The relay the app was deployed with (`/app-config.json`), if any. */
async function defaultRelay(): Promise<string | undefined> {
  try {
    const res = await fetch('/app-config.json', { cache: 'no-store' });
    const cfg = (await res.json()) as { relayUrl?: unknown };
    return typeof cfg.relayUrl === 'string' ? checkRelayUrl(cfg.relayUrl) : undefined;
  } catch {
    return undefined;
  }
}
