import QRCode from 'qrcode';
import type { Request, Response } from 'express';
import {
  DiscoClient,
  DiscoError,
  fingerprintOf,
  isDiscoError,
  startPairing,
  type Pairing,
} from '../../sdk/index.js';
import {
  checkDemoConfig,
  CLIENT_ID,
  httpBase,
  type DemoApp,
  type DemoConfig,
} from '../common/config.js';
import { explain, type Problem, type Step, type Voice } from '../common/explain.js';
import { timedFetch, withTimeout } from '../common/fetch.js';
import {
  ApiError,
  baseApp,
  consoleLogger,
  finish,
  jsonBody,
  methodNotAllowed,
  readObject,
  sameOriginOnly,
  servePublic,
  wrap,
} from '../common/http.js';
import { loadOrCreateIdentity } from '../common/identity.js';
import { SessionStore } from '../common/session.js';

/**
 * The demo shop: an untrusted client (DESIGN.md "demo relying parties"). It pairs with the
 * person's device, registers, asks key A for `address`, and, to ship, asks key B for the courier
 * and hands it over. It never sees the address. Its API is in docs/demo.md.
 */
export interface ShopConfig extends DemoConfig {
  /** The courier's base URL: its `/api/identity` and `/api/deliveries`. */
  courierUrl: string;
  limits?: {
    /** Browser sessions held at once (default 500). */
    sessions?: number;
    /** Minutes an unused session lives (default 30). */
    idleMinutes?: number;
    /** Pairings and approvals waited for at once, over all sessions (default 50). */
    activeFlows?: number;
  };
}

export const SHOP_COOKIE = 'disco_demo_shop';
const FIELDS = ['address'] as const;
const UID = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const DELIVERY_ID = /^[0-9A-Z]{8,16}$/;
const MAX_QR_CHARS = 1024;

export type ShopStep =
  | 'idle'
  | 'pairing'
  | 'registering'
  | 'authorizing'
  | 'connected'
  | 'asking_key_b'
  | 'handing_over'
  | 'shipped';

/** `GET /api/state` (and the 202 answers of connect and ship): docs/demo.md. */
export interface ShopState {
  step: ShopStep;
  /** One sentence for the page's status line: what happens, or what the person should do. */
  status: string;
  /** True while the shop waits for the device or the person. */
  waiting: boolean;
  shop: { name: string; fingerprint: string };
  /** `expires_at`: milliseconds since the epoch. */
  pairing: { uid: string; qr_image: string; expires_at: number } | null;
  device: { fingerprint: string } | null;
  courier: { name: string; fingerprint: string } | null;
  delivery: { id: string; courier_url: string } | null;
  error: Problem | null;
}

interface Link {
  client: DiscoClient;
  keyA: string;
  deviceId: string;
  proxyUrl: string;
}

class ShopSession {
  step: ShopStep = 'idle';
  flow: AbortController | undefined;
  pairing: { uid: string; qrImage: string; expiresAt: number } | undefined;
  link: Link | undefined;
  courier: { name: string; fingerprint: string } | undefined;
  delivery: { id: string; courierUrl: string } | undefined;
  problem: Problem | undefined;

  /** Cancels whatever this session waited for and starts a new flow. */
  begin(): AbortSignal {
    this.flow?.abort();
    this.flow = new AbortController();
    return this.flow.signal;
  }

  dispose(): void {
    this.flow?.abort();
    this.flow = undefined;
  }
}

/** The QR code as an `<img>` source: an SVG made here, so the page needs no script for it. */
async function qrImage(payload: string): Promise<string> {
  const svg = await QRCode.toString(payload, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The courier's error answer in one line, or its HTTP status. */
async function upstreamMessage(res: globalThis.Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { error_description?: unknown };
  const text =
    typeof body.error_description === 'string' ? body.error_description : `HTTP ${res.status}`;
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

export async function createShop(config: ShopConfig): Promise<DemoApp> {
  const { clientId, name, relayUrl } = checkDemoConfig(config, {
    clientId: 'shop',
    name: 'Demo Shop',
  });
  const courierUrl = httpBase(config.courierUrl, 'courierUrl');
  const log = config.log ?? consoleLogger;
  const fetchFn = timedFetch(config.sdk?.fetch ?? fetch);
  const me = await loadOrCreateIdentity({
    dir: config.dataDir,
    name,
    log,
    ...(config.sdk?.clock ? { clock: config.sdk.clock } : {}),
  });
  const maxActive = config.limits?.activeFlows ?? 50;
  let active = 0;
  const voice: Voice = { me: name, reader: 'person' };
  const sessions = new SessionStore(
    SHOP_COOKIE,
    {
      max: config.limits?.sessions ?? 500,
      idleMs: (config.limits?.idleMinutes ?? 30) * 60_000,
    },
    () => new ShopSession(),
  );

  const fail = (s: ShopSession, err: unknown, step: Step, signal: AbortSignal) => {
    if (signal.aborted) return; // a newer flow, or the session is gone: nothing to say
    s.problem = explain(err, step, voice, log);
    log.info(`${name}: ${step} failed: ${s.problem.code}`);
  };

  function status(s: ShopSession): string {
    const courier = s.courier?.name ?? 'the courier';
    switch (s.step) {
      case 'idle':
        return s.problem ? 'Not connected.' : 'Not connected yet.';
      case 'pairing':
        return 'Waiting for you to enter the code on your Disco device.';
      case 'registering':
        return `Approve ${name} on your Disco device: it asks to connect.`;
      case 'authorizing':
        return `Approve on your Disco device: ${name} asks to be allowed to ask for your address.`;
      case 'connected':
        return 'Connected to your Disco device. Your order is ready to ship.';
      case 'asking_key_b':
        return `Approve on your Disco device: ${name} asks to let ${courier} have your address.`;
      case 'handing_over':
        return `Handing your order to ${courier}…`;
      case 'shipped':
        return `Shipped with ${courier} (delivery ${s.delivery?.id ?? ''}). ${courier} now asks your Disco device for your address: approve it there.`;
    }
  }

  function view(s: ShopSession | undefined): ShopState {
    const st = s ?? new ShopSession();
    return {
      step: st.step,
      status: status(st),
      waiting: ['pairing', 'registering', 'authorizing', 'asking_key_b', 'handing_over'].includes(
        st.step,
      ),
      shop: { name, fingerprint: me.fingerprint },
      pairing: st.pairing
        ? { uid: st.pairing.uid, qr_image: st.pairing.qrImage, expires_at: st.pairing.expiresAt }
        : null,
      device: st.link ? { fingerprint: fingerprintOf(st.link.deviceId) } : null,
      courier: st.courier ?? null,
      delivery: st.delivery ? { id: st.delivery.id, courier_url: st.delivery.courierUrl } : null,
      error: st.problem ?? null,
    };
  }

  /** Waits for the device, then registers and asks key A; each waits for the person. */
  async function afterPairing(s: ShopSession, pairing: Pairing, signal: AbortSignal) {
    let step: Step = 'pairing';
    active++;
    try {
      const { paired, device, transport } = await pairing.wait({ signal });
      if (signal.aborted) return;
      s.pairing = undefined;
      const client = new DiscoClient({
        clientId,
        clientName: name,
        clientSecret: me.clientSecret,
        isTrusted: false,
        identity: me.identity,
        device,
        transport,
        ...(config.sdk?.clock ? { clock: config.sdk.clock } : {}),
        ...(config.sdk?.wait ? { wait: config.sdk.wait } : {}),
      });
      step = 'register';
      s.step = 'registering';
      try {
        await client.register(pairing.challenge, { signal });
      } catch (err) {
        // Registered in an earlier visit: the device still knows this certificate and secret.
        if (!isDiscoError(err, 'ERR_CLIENT_EXISTS')) throw err;
      }
      step = 'key_a';
      s.step = 'authorizing';
      const { key_a } = await client.requestKeyA(FIELDS, { signal });
      if (signal.aborted) return;
      s.link = { client, keyA: key_a, deviceId: device.deviceId, proxyUrl: paired.proxy_url };
      s.step = 'connected';
    } catch (err) {
      if (signal.aborted) return;
      s.step = 'idle';
      s.pairing = undefined;
      fail(s, err, step, signal);
    } finally {
      active--;
    }
  }

  async function connect(req: Request, res: Response) {
    readObject(req.body, []);
    const s = sessions.open(req, res);
    if (active >= maxActive)
      throw new ApiError('ERR_BUSY', 'Many people are connecting right now. Please try again.');
    const signal = s.begin();
    Object.assign(s, {
      step: 'idle',
      pairing: undefined,
      link: undefined,
      courier: undefined,
      delivery: undefined,
      problem: undefined,
    });
    let pairing: Pairing;
    try {
      pairing = await startPairing(relayUrl, me.identity, { fetchFn }).catch((err: unknown) => {
        if (isDiscoError(err)) throw err;
        // The SDK passes on fetch's own errors for the first request, and JSON errors.
        if (err instanceof TypeError || (err instanceof Error && err.name === 'TimeoutError'))
          throw new DiscoError('ERR_TRANSPORT_FAILED', 'The relay cannot be reached.', {
            cause: err,
          });
        throw new ApiError('ERR_UPSTREAM', 'The Disco relay answered in a way we cannot use.');
      });
      if (!UID.test(pairing.uid) || pairing.qr.length > MAX_QR_CHARS)
        throw new ApiError('ERR_UPSTREAM', 'The Disco relay sent a pairing code we cannot use.');
    } catch (err) {
      fail(s, err, 'pairing', signal);
      if (signal.aborted)
        throw new ApiError('ERR_WRONG_STATE', 'A newer connection replaced this one.');
      throw new ApiError('ERR_UPSTREAM', s.problem!.message);
    }
    if (signal.aborted)
      throw new ApiError('ERR_WRONG_STATE', 'A newer connection replaced this one.');
    s.pairing = {
      uid: pairing.uid,
      qrImage: await qrImage(pairing.qr),
      expiresAt: Date.now() + pairing.expiresIn * 1000,
    };
    s.step = 'pairing';
    void afterPairing(s, pairing, signal);
    res.status(202).json(view(s));
  }

  async function courierIdentity(signal: AbortSignal) {
    const unreachable = () =>
      new ApiError('ERR_UPSTREAM', 'The courier cannot be reached right now. Please try again.');
    const res = await fetchFn(`${courierUrl}/api/identity`, {
      headers: { accept: 'application/json' },
      signal: withTimeout(signal),
    }).catch(() => {
      throw unreachable();
    });
    if (!res.ok) throw unreachable();
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    const id = body?.client_id;
    const thumbprint = body?.thumbprint;
    const courierName = body?.name;
    if (
      typeof id !== 'string' ||
      !CLIENT_ID.test(id) ||
      typeof thumbprint !== 'string' ||
      !THUMBPRINT.test(thumbprint) ||
      typeof courierName !== 'string' ||
      !courierName.trim() ||
      courierName.length > 100
    ) {
      throw new ApiError('ERR_UPSTREAM', 'The courier described itself in a way we cannot use.');
    }
    return { clientId: id, thumbprint, name: courierName };
  }

  async function handOver(
    body: { key_b: string; proxy_url: string; device_id: string },
    courierName: string,
    signal: AbortSignal,
  ): Promise<string> {
    const res = await fetchFn(`${courierUrl}/api/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: withTimeout(signal),
    }).catch(() => {
      throw new ApiError(
        'ERR_UPSTREAM',
        `${courierName} cannot be reached right now. Please try again.`,
      );
    });
    if (!res.ok)
      throw new ApiError(
        'ERR_UPSTREAM',
        `${courierName} refused the order: ${await upstreamMessage(res)}`,
      );
    const answer = (await res.json().catch(() => null)) as { id?: unknown } | null;
    if (typeof answer?.id !== 'string' || !DELIVERY_ID.test(answer.id))
      throw new ApiError('ERR_UPSTREAM', `${courierName} answered in a way we cannot use.`);
    return answer.id;
  }

  /** Key B for the courier, then the handover: the courier asks the device itself. */
  async function shipOrder(s: ShopSession, link: Link, signal: AbortSignal) {
    let step: Step = 'handoff';
    active++;
    try {
      const courier = await courierIdentity(signal);
      if (signal.aborted) return;
      s.courier = { name: courier.name, fingerprint: fingerprintOf(courier.thumbprint) };
      step = 'key_b';
      const { key_b } = await link.client.requestKeyB(
        link.keyA,
        { clientId: courier.clientId, thumbprint: courier.thumbprint },
        FIELDS,
        { signal },
      );
      if (signal.aborted) return;
      step = 'handoff';
      s.step = 'handing_over';
      const id = await handOver(
        { key_b, proxy_url: link.proxyUrl, device_id: link.deviceId },
        courier.name,
        signal,
      );
      if (signal.aborted) return;
      s.delivery = { id, courierUrl };
      s.step = 'shipped';
    } catch (err) {
      if (signal.aborted) return;
      s.step = 'connected';
      fail(s, err, step, signal);
      // Key A itself is gone: only connecting again helps.
      if (
        isDiscoError(err) &&
        [
          'ERR_GRANT_REVOKED',
          'ERR_CLIENT_UNKNOWN',
          'ERR_CLIENT_REVOKED',
          'ERR_CLIENT_SECRET',
        ].includes(err.code)
      ) {
        s.step = 'idle';
        s.link = undefined;
      }
    } finally {
      active--;
    }
  }

  function ship(req: Request, res: Response) {
    readObject(req.body, []);
    const s = sessions.find(req);
    if (!s || !s.link || s.step !== 'connected') {
      const why =
        s?.step === 'shipped'
          ? 'This order has shipped already.'
          : s?.step === 'asking_key_b' || s?.step === 'handing_over'
            ? 'Your order is being shipped already.'
            : 'Connect with Disco first.';
      throw new ApiError('ERR_WRONG_STATE', why);
    }
    if (active >= maxActive)
      throw new ApiError('ERR_BUSY', 'Many orders are shipping right now. Please try again.');
    const signal = s.begin();
    s.problem = undefined;
    s.step = 'asking_key_b';
    void shipOrder(s, s.link, signal);
    res.status(202).json(view(s));
  }

  const app = baseApp();
  app
    .route('/api/state')
    .get((req, res) => {
      res.json(view(sessions.find(req)));
    })
    .all(methodNotAllowed(['GET']));
  app
    .route('/api/connect')
    .post(sameOriginOnly, jsonBody, wrap(connect))
    .all(methodNotAllowed(['POST']));
  app
    .route('/api/ship')
    .post(sameOriginOnly, jsonBody, wrap(ship))
    .all(methodNotAllowed(['POST']));
  servePublic(app, import.meta.url);
  finish(app, log);

  return {
    app,
    clientId,
    name,
    thumbprint: me.thumbprint,
    fingerprint: me.fingerprint,
    close: () => sessions.close(),
  };
}
