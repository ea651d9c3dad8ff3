import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { TOKEN_TYPES, verify } from '../../protocol/jose/index.js';
import { peerIdOf } from '../../protocol/tunnel/peer_id.js';
import {
  DiscoClient,
  DiscoError,
  fetchDeviceInfo,
  fetchTransport,
  fingerprintOf,
  isDiscoError,
  type DeviceInfo,
  type Transport,
} from '../../sdk/index.js';
import { checkDemoConfig, httpBase, type DemoApp, type DemoConfig } from '../common/config.js';
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
  servePublic,
  wrap,
} from '../common/http.js';
import { loadOrCreateIdentity } from '../common/identity.js';

/**
 * The demo courier: a trusted client (DESIGN.md flow 5). A shop hands it `{ key_b, proxy_url,
 * device_id }`; it pins the device, registers with it once (as a trusted client), exchanges key B
 * for the address, and prints a shipping label. Its API is in docs/demo.md.
 */
export interface CourierConfig extends DemoConfig {
  /**
   * Relay base URLs a `proxy_url` may belong to (default: `relayUrl`). The courier fetches only
   * `<relay>/p/<peer id of device_id>/…`: a shop cannot make it call anything else.
   */
  relays?: readonly string[];
  limits?: {
    /** Deliveries kept (default 200); the oldest finished ones make room. */
    deliveries?: number;
    /** Deliveries in progress at once (default 50). */
    active?: number;
  };
}

export type DeliveryState =
  'received' | 'connecting' | 'registering' | 'requesting' | 'ready' | 'failed';

/** One delivery in `GET /api/deliveries` and the 202 answer of `POST /api/deliveries`. */
export interface DeliveryView {
  id: string;
  state: DeliveryState;
  /** One sentence for the dashboard. */
  status: string;
  created_at: string;
  updated_at: string;
  /** The customer's device, as people compare it. */
  device_fingerprint: string;
  label: { courier: string; delivery_id: string; address: string[] } | null;
  error: Problem | null;
}

interface Delivery {
  id: string;
  state: DeliveryState;
  createdAt: number;
  updatedAt: number;
  deviceId: string;
  proxyUrl: string;
  abort: AbortController;
  address?: string[];
  problem?: Problem;
}

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEY_B = 16 * 1024;
const MAX_URL = 2048;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_SEEN_KEYS = 10_000;
const MAX_DEVICES = 10_000;

/** Eight characters of Crockford base32 (40 random bits): easy to read out over the phone. */
function deliveryId(): string {
  return Array.from(randomBytes(8), (b) => CROCKFORD[b & 31]).join('');
}

function field(value: unknown, name: string, max: number, pattern: RegExp): string {
  if (typeof value !== 'string' || value === '')
    throw new ApiError('ERR_INVALID_INPUT', `${name} is required (a string).`);
  if (value.length > max)
    throw new ApiError('ERR_INVALID_INPUT', `${name} is too long (at most ${max} characters).`);
  if (!pattern.test(value)) throw new ApiError('ERR_INVALID_INPUT', `${name} is malformed.`);
  return value;
}

/** The address as received, as label lines: only text, no control characters, bounded. */
export function addressLines(value: unknown): string[] | undefined {
  const text = (v: unknown): string[] =>
    typeof v === 'string' ? v.split(/\r?\n/) : typeof v === 'number' ? [String(v)] : [];
  let lines: string[] = [];
  if (typeof value === 'string') lines = text(value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const a = value as Record<string, unknown>;
    lines = [
      ...text(a.street_address),
      [...text(a.postal_code), ...text(a.locality)].join(' '),
      ...text(a.region),
      ...text(a.country),
    ];
  }
  const printable = (l: string) =>
    Array.from(l, (ch) => {
      const c = ch.charCodeAt(0);
      return c < 0x20 || (c >= 0x7f && c < 0xa0) ? ' ' : ch;
    }).join('');
  const clean = lines
    .map((l) => printable(l).trim().slice(0, 200))
    .filter((l) => l !== '')
    .slice(0, 8);
  return clean.length ? clean : undefined;
}

export async function createCourier(config: CourierConfig): Promise<DemoApp> {
  const { clientId, name, relayUrl } = checkDemoConfig(config, {
    clientId: 'courier',
    name: 'Demo Courier',
  });
  const relays = (config.relays ?? [relayUrl]).map((r) => httpBase(r, 'relays'));
  const log = config.log ?? consoleLogger;
  const clock = config.sdk?.clock ?? { now: () => Date.now() };
  const fetchFn = timedFetch(config.sdk?.fetch ?? fetch);
  const me = await loadOrCreateIdentity({
    dir: config.dataDir,
    name,
    log,
    ...(config.sdk?.clock ? { clock: config.sdk.clock } : {}),
  });
  const maxDeliveries = config.limits?.deliveries ?? 200;
  const maxActive = config.limits?.active ?? 50;
  const voice: Voice = { me: name, reader: 'staff' };

  const deliveries = new Map<string, Delivery>();
  /** SHA-256 of every key B handed over: each is used once, so a second handover is refused. */
  const seenKeys = new Set<string>();
  /** Per device id: registered, or registering (one registration shared by its deliveries). */
  const registrations = new Map<string, { done: boolean; promise: Promise<void> }>();
  let active = 0;

  const touch = (d: Delivery, state: DeliveryState) => {
    d.state = state;
    d.updatedAt = clock.now();
  };

  function checkProxyUrl(value: unknown, deviceId: string): string {
    const raw = field(value, 'proxy_url', MAX_URL, /^https?:\/\//);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ApiError('ERR_INVALID_INPUT', 'proxy_url is not a URL.');
    }
    if (url.username || url.password || url.search || url.hash)
      throw new ApiError(
        'ERR_INVALID_INPUT',
        'proxy_url must not carry credentials, a query or a fragment.',
      );
    const bare = url.href.replace(/\/+$/, '');
    const peer = peerIdOf(deviceId);
    if (!relays.some((r) => bare === `${r}/p/${peer}`)) {
      throw new ApiError(
        'ERR_INVALID_INPUT',
        `proxy_url must be this device's tunnel at the relay ${name} uses (${relays[0]}/p/${peer}/).`,
      );
    }
    return `${bare}/`;
  }

  /**
   * Early, unverified checks of key B so that a mistake gets a clear answer now rather than a
   * failed delivery later. The device verifies the signature; nothing here is trusted.
   */
  function checkKeyB(keyB: string, deviceId: string): void {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(keyB);
      claims = decodeJwt(keyB);
    } catch {
      throw new ApiError('ERR_INVALID_INPUT', 'key_b is not a JWT.');
    }
    if (header.typ !== 'disco-key-b+jwt')
      throw new ApiError('ERR_INVALID_INPUT', 'key_b is not a Disco key B (typ disco-key-b+jwt).');
    if (claims.iss !== deviceId)
      throw new ApiError('ERR_INVALID_INPUT', 'key_b was issued by another device than device_id.');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(clientId))
      throw new ApiError('ERR_AUDIENCE_MISMATCH', `This key B is not for ${name}.`);
    const cnf = (claims.cnf as { 'x5t#S256'?: unknown } | undefined)?.['x5t#S256'];
    if (cnf !== me.thumbprint)
      throw new ApiError(
        'ERR_AUDIENCE_MISMATCH',
        `This key B is bound to another certificate than ${name}'s.`,
      );
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= clock.now())
      throw new ApiError('ERR_JWT_EXPIRED', 'This key B has expired: ask the customer again.');
  }

  /** Room for one more: drop the oldest finished delivery when full. */
  function makeRoom(): void {
    if (active >= maxActive)
      throw new ApiError('ERR_BUSY', 'Too many deliveries in progress. Please try again soon.');
    if (deliveries.size < maxDeliveries) return;
    for (const [id, d] of deliveries) {
      if (d.state === 'ready' || d.state === 'failed') {
        deliveries.delete(id);
        return;
      }
    }
    throw new ApiError('ERR_BUSY', 'Too many deliveries in progress. Please try again soon.');
  }

  function remember(set: Set<string>, value: string, max: number) {
    set.add(value);
    if (set.size > max) set.delete(set.values().next().value!);
  }

  /** The tunnel with every request bounded by this delivery's signal and a timeout. */
  function boundedTransport(inner: Transport, signal: AbortSignal): Transport {
    return {
      get: (path, s) => inner.get(path, withTimeout(s ?? signal)),
      post: (path, body, s) => inner.post(path, body, s ?? signal),
    };
  }

  async function pin(d: Delivery, transport: Transport, signal: AbortSignal): Promise<DeviceInfo> {
    try {
      return await fetchDeviceInfo(transport, d.deviceId);
    } catch (err) {
      if (signal.aborted) throw err;
      if (isDiscoError(err, 'ERR_ABORTED'))
        throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device did not answer in time.');
      if (isDiscoError(err)) throw err;
      // Not JSON, or not the metadata's shape: whatever answered is not a Disco device.
      throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device metadata is unreadable.', {
        cause: err,
      });
    }
  }

  /** Registers with the device once per device id (ERR_CLIENT_EXISTS: it was already). */
  async function ensureRegistered(
    d: Delivery,
    client: DiscoClient,
    signal: AbortSignal,
  ): Promise<void> {
    let entry = registrations.get(d.deviceId);
    if (!entry) {
      const promise = client.register(undefined, { signal }).then(
        () => undefined,
        (err: unknown) => {
          if (isDiscoError(err, 'ERR_CLIENT_EXISTS')) return;
          registrations.delete(d.deviceId);
          throw err;
        },
      );
      entry = { done: false, promise };
      const e = entry;
      promise.then(
        () => {
          e.done = true;
        },
        () => undefined,
      );
      registrations.set(d.deviceId, entry);
      if (registrations.size > MAX_DEVICES) {
        for (const [id, r] of registrations) {
          if (r.done) {
            registrations.delete(id);
            break;
          }
        }
      }
    }
    if (!entry.done) touch(d, 'registering');
    await entry.promise;
  }

  async function deliver(d: Delivery, keyB: string): Promise<void> {
    const signal = d.abort.signal;
    let step: Step = 'handoff';
    active++;
    try {
      touch(d, 'connecting');
      const transport = boundedTransport(fetchTransport(d.proxyUrl, fetchFn), signal);
      const device = await pin(d, transport, signal);
      // Before anything reaches the person: key B must be this device's, for this courier, so a
      // made-up handover cannot make the courier pester someone's device with requests.
      await verify(keyB, device.signingJwk, {
        now: () => clock.now(),
        issuer: device.deviceId,
        typ: TOKEN_TYPES.keyB,
        audience: clientId,
        confirmation: me.thumbprint,
      });
      const client = new DiscoClient({
        clientId,
        clientName: name,
        clientSecret: me.clientSecret,
        isTrusted: true,
        identity: me.identity,
        device,
        transport,
        ...(config.sdk?.clock ? { clock: config.sdk.clock } : {}),
        ...(config.sdk?.wait ? { wait: config.sdk.wait } : {}),
      });
      step = 'register';
      const known = registrations.get(d.deviceId)?.done === true;
      await ensureRegistered(d, client, signal);
      step = 'data';
      touch(d, 'requesting');
      let out: Awaited<ReturnType<DiscoClient['exchangeKeyB']>>;
      try {
        out = await client.exchangeKeyB(keyB, { signal });
      } catch (err) {
        // The person removed the courier on the device since: register again, once. Key B is
        // checked after the client, so it is not spent yet.
        if (!known || !isDiscoError(err, 'ERR_CLIENT_UNKNOWN')) throw err;
        registrations.delete(d.deviceId);
        step = 'register';
        await ensureRegistered(d, client, signal);
        step = 'data';
        touch(d, 'requesting');
        out = await client.exchangeKeyB(keyB, { signal });
      }
      if (signal.aborted) return;
      const address = addressLines(out.fields.address);
      if (!address) {
        d.problem = {
          code: 'ERR_NO_ADDRESS',
          message: "The customer's Disco device has no postal address to share.",
        };
        touch(d, 'failed');
        return;
      }
      d.address = address;
      touch(d, 'ready');
      log.info(`${name}: delivery ${d.id} has its label.`);
    } catch (err) {
      if (signal.aborted) return;
      d.problem = explain(err, step, voice, log);
      touch(d, 'failed');
      log.info(`${name}: delivery ${d.id} failed: ${d.problem.code}`);
    } finally {
      active--;
    }
  }

  function status(d: Delivery): string {
    switch (d.state) {
      case 'received':
        return 'Received from the shop.';
      case 'connecting':
        return "Reaching the customer's Disco device through the relay…";
      case 'registering':
        return `Waiting for the customer to approve ${name} on their Disco device.`;
      case 'requesting':
        return `Waiting for the customer to approve sharing their address with ${name}.`;
      case 'ready':
        return 'Label ready to print.';
      case 'failed':
        return d.problem?.message ?? 'Failed.';
    }
  }

  function view(d: Delivery): DeliveryView {
    return {
      id: d.id,
      state: d.state,
      status: status(d),
      created_at: new Date(d.createdAt).toISOString(),
      updated_at: new Date(d.updatedAt).toISOString(),
      device_fingerprint: fingerprintOf(d.deviceId),
      label: d.address ? { courier: name, delivery_id: d.id, address: d.address } : null,
      error: d.problem ?? null,
    };
  }

  function receive(req: Request, res: Response) {
    const body = readObject(req.body, ['key_b', 'proxy_url', 'device_id']);
    const keyB = field(body.key_b, 'key_b', MAX_KEY_B, JWS);
    const deviceId = field(body.device_id, 'device_id', 43, DEVICE_ID);
    const proxyUrl = checkProxyUrl(body.proxy_url, deviceId);
    checkKeyB(keyB, deviceId);
    const hash = createHash('sha256').update(keyB).digest('base64url');
    if (seenKeys.has(hash))
      throw new ApiError('ERR_KEY_B_USED', 'This key B was handed over already: each works once.');
    makeRoom();
    let id = deliveryId();
    while (deliveries.has(id)) id = deliveryId();
    const now = clock.now();
    const d: Delivery = {
      id,
      state: 'received',
      createdAt: now,
      updatedAt: now,
      deviceId,
      proxyUrl,
      abort: new AbortController(),
    };
    deliveries.set(id, d);
    remember(seenKeys, hash, MAX_SEEN_KEYS);
    void deliver(d, keyB);
    res.status(202).json(view(d));
  }

  const app = baseApp();
  app
    .route('/api/identity')
    .get((_req, res) => {
      res.json({ client_id: clientId, thumbprint: me.thumbprint, name });
    })
    .all(methodNotAllowed(['GET']));
  app
    .route('/api/deliveries')
    .get((_req, res) => {
      res.json({
        courier: { name, fingerprint: me.fingerprint },
        deliveries: [...deliveries.values()].reverse().map(view),
      });
    })
    .post(jsonBody, wrap(receive))
    .all(methodNotAllowed(['GET', 'POST']));
  servePublic(app, import.meta.url);
  finish(app, log);

  return {
    app,
    clientId,
    name,
    thumbprint: me.thumbprint,
    fingerprint: me.fingerprint,
    close: () => {
      for (const d of deliveries.values()) d.abort.abort();
    },
  };
}
