import { DiscoError, ERROR_CODES, isDiscoError, type ErrorCode } from '../protocol/errors/index.js';
import {
  b64u,
  systemClock,
  systemRandom,
  type Clock,
  type Random,
} from '../protocol/encoding/index.js';
import { isStatedName, isStatedUri } from '../protocol/auth/stated_partner.js';
import type { ClientIdentity } from './client_identity.js';
import { openResponse, sealRequest, type DeviceInfo } from './messages.js';
import { sleep } from './sleep.js';
import type { Transport, TransportResponse } from './transport.js';

export interface DiscoClientOptions {
  clientId: string;
  clientName: string;
  clientSecret: string;
  isTrusted: boolean;
  identity: ClientIdentity;
  /** The device as pinned at pairing. */
  device: DeviceInfo;
  transport: Transport;
  clock?: Clock;
  random?: Random;
  /** How to wait between polls (default: a timer). Tests pass one that advances a fake clock. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * How long a call's first request is sent again, the very same bytes, while the device cannot
   * be reached (default 10 000 ms; 0: fail at once). A device that blinks (a reload, an app
   * switch) comes back within seconds; it files the request once and answers a repeat of it as
   * it answered the first (docs/wire/engine.md "Sent again").
   */
  resendMs?: number;
}

/** The trusted client a key B is for (`requestKeyB`). */
export interface KeyBAudience {
  clientId: string;
  /** SHA-256 thumbprint of its certificate, base64url (`x5t#S256`). */
  thumbprint: string;
  /** Its name, as this company states it: shown to the person while it is not registered. */
  name?: string;
  /** Its address (https), as this company states it. */
  url?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Give up waiting for the person after this long (default: until the device's request expires). */
  timeoutMs?: number;
  /** Told each time the device says the person has not answered yet. */
  onPending?: (info: { authReqId: string; expiresIn: number }) => void;
  /**
   * Told when a poll could not reach the device (it reloaded, switched networks, went to sleep):
   * the request still waits on the device, and the SDK asks again in `retryInMs`.
   */
  onUnreachable?: (info: { authReqId: string; error: DiscoError; retryInMs: number }) => void;
}

/**
 * Failures of the way to the device, not answers from it. Once the device has filed a request,
 * they mean "not yet": a phone blinks (reload, app switch, network change) while the request waits
 * there, and the device keeps a decided answer until its client polls for it.
 */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_DEVICE_UNREACHABLE',
  'ERR_TRANSPORT_FAILED',
  'ERR_TIMEOUT',
  'ERR_RELAY_BUSY',
  'ERR_RATE_LIMITED',
]);

/** Ways a call gives up on a request that still waits on the device: it is withdrawn then. */
const GAVE_UP: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ERR_ABORTED', ...UNREACHABLE]);

/** How long a call's first request is sent again while the device cannot be reached. */
const RESEND_MS = 10_000;

/** The longest pause between two polls of a device that cannot be reached. */
const MAX_RETRY_MS = 16_000;

const PATH = {
  register: '/disco/auth/register',
  authorize: '/disco/auth/authorize',
  data: '/disco/data',
} as const;

/** The device's error, as a DiscoError with its code (unknown codes become ERR_TRANSPORT_FAILED). */
function deviceError(res: TransportResponse): DiscoError {
  let body: { code?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    /* not JSON */
  }
  const code =
    typeof body.code === 'string' && body.code in ERROR_CODES
      ? (body.code as ErrorCode)
      : 'ERR_TRANSPORT_FAILED';
  const message =
    typeof body.error_description === 'string'
      ? body.error_description
      : `The device answered HTTP ${res.status}.`;
  return new DiscoError(code, message);
}

/** The body of a "pending" answer: which request to poll for, how often, until when. */
interface PendingInfo {
  auth_req_id: string;
  interval: number;
  expires_in: number;
  /** The device holds a poll that sends `wait` until the person decides, at most this long (s). */
  long_poll?: number;
}

function pendingInfo(body: string): PendingInfo {
  let info: {
    auth_req_id?: unknown;
    interval?: unknown;
    expires_in?: unknown;
    long_poll?: unknown;
  } = {};
  try {
    info = JSON.parse(body) as typeof info;
  } catch {
    /* checked below */
  }
  const { auth_req_id, interval, expires_in } = info;
  if (
    typeof auth_req_id !== 'string' ||
    typeof interval !== 'number' ||
    !(interval >= 0 && interval <= 60) ||
    typeof expires_in !== 'number' ||
    !(expires_in >= 0)
  )
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device sent a malformed pending answer.');
  const longPoll = info.long_poll;
  const held =
    typeof longPoll === 'number' && Number.isInteger(longPoll) && longPoll >= 1 && longPoll <= 60;
  return { auth_req_id, interval, expires_in, ...(held ? { long_poll: longPoll } : {}) };
}

/**
 * A relying party's client of one Disco device: register, ask for key A, key B, and (as a trusted
 * client) exchange key B for data. Each call waits for the person's answer, polling as the device
 * says (RFC 8628 §3.5: `authorization_pending`, `slow_down`), until the answer, the timeout or
 * the abort signal. Errors are DiscoErrors with the device's codes.
 */
export class DiscoClient {
  readonly #o: DiscoClientOptions;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(opts: DiscoClientOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? systemRandom;
  }

  get clientId(): string {
    return this.#o.clientId;
  }

  /**
   * The withdraws sent for calls that gave up (aborted, timed out), each resolving with the
   * device's error code or `undefined` once withdrawn; they never reject. For tests and logs.
   */
  readonly withdrawals: Promise<ErrorCode | undefined>[] = [];

  register(
    challenge?: string,
    opts?: CallOptions,
  ): Promise<{ status: 'registered'; client_id: string; is_trusted: boolean }> {
    const { clientId, clientName, clientSecret, isTrusted, identity } = this.#o;
    return this.#call(
      PATH.register,
      {
        client_id: clientId,
        client_name: clientName,
        client_secret: clientSecret,
        is_trusted: isTrusted,
        certificate: identity.certificatePem,
        ...(challenge ? { challenge } : {}),
      },
      opts,
    ) as never;
  }

  /** Key A: permission to ask later for key B for these fields. */
  requestKeyA(
    fields: readonly string[],
    opts?: CallOptions,
  ): Promise<{ key_a: string; scope: string; expires_in: number }> {
    return this.#call(
      PATH.authorize,
      { client_secret: this.#o.clientSecret, scope: ['key_b', ...fields].join(' ') },
      opts,
    ) as never;
  }

  /**
   * Key B for one trusted client (its id and certificate thumbprint), within key A's fields.
   * `name` and `url` say who that partner is for the person while it is not registered with the
   * device (docs/wire/engine.md, key B): the card shows them as this company's word. A name that
   * is not plain text of 1 to 100 characters, or a URL that is not https (http on a loopback
   * host), is refused here with `ERR_INVALID_INPUT` before anything is sent.
   */
  requestKeyB(
    keyA: string,
    audience: KeyBAudience,
    fields: readonly string[],
    opts?: CallOptions,
  ): Promise<{ key_b: string; audience: string; scope: string; expires_in: number }> {
    const { clientId, thumbprint, name, url } = audience;
    if (name !== undefined && !isStatedName(name))
      return Promise.reject(
        new DiscoError(
          'ERR_INVALID_INPUT',
          "The partner's name must be 1 to 100 plain characters.",
        ),
      );
    if (url !== undefined && !isStatedUri(url))
      return Promise.reject(
        new DiscoError('ERR_INVALID_INPUT', "The partner's URL must be an https address."),
      );
    return this.#call(
      PATH.authorize,
      {
        client_secret: this.#o.clientSecret,
        key_a: keyA,
        audience: {
          client_id: clientId,
          'x5t#S256': thumbprint,
          ...(name === undefined ? {} : { client_name: name }),
          ...(url === undefined ? {} : { client_uri: url }),
        },
        scope: fields.join(' '),
      },
      opts,
    ) as never;
  }

  /**
   * As a trusted client: key B → the fields it covers, encrypted to this client. For
   * `ic_principal`, pass a fresh `icChallenge` (16 to 128 base64url characters) and check the
   * value with `verifyPrincipalProof(fields.ic_principal, { challenge, now })`.
   */
  exchangeKeyB(
    keyB: string,
    opts: CallOptions & { icChallenge?: string } = {},
  ): Promise<{ fields: Record<string, unknown>; missing?: string[] }> {
    const { icChallenge, ...callOpts } = opts;
    return this.#call(
      PATH.data,
      {
        client_secret: this.#o.clientSecret,
        key_b: keyB,
        ...(icChallenge === undefined ? {} : { ic_challenge: icChallenge }),
      },
      callOpts,
    ) as never;
  }

  async #send(
    path: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<TransportResponse> {
    return this.#post(path, await this.#seal(path, params, signal), signal);
  }

  async #seal(
    path: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<string> {
    if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
    const now = Math.floor(this.#clock.now() / 1000);
    const claims = {
      iss: this.#o.clientId,
      aud: this.#o.device.deviceId,
      iat: now,
      exp: now + 120,
      jti: b64u.encode(this.#random(16)),
      htu: path,
      state: b64u.encode(this.#random(16)),
      ...params,
    };
    return sealRequest(claims, this.#o.identity, this.#o.device);
  }

  async #post(path: string, body: string, signal?: AbortSignal): Promise<TransportResponse> {
    if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
    try {
      return await this.#o.transport.post(path, body, signal);
    } catch (cause) {
      if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
      if (cause instanceof DiscoError) throw cause;
      throw new DiscoError('ERR_TRANSPORT_FAILED', 'The device could not be reached.', { cause });
    }
  }

  /**
   * Sends the request, then polls while the device answers "pending" (RFC 8628 §3.5), until the
   * answer, the deadline or the abort signal.
   */
  async #call(
    path: string,
    params: Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    const started = this.#clock.now();
    let res = await this.#first(path, params, started, opts);
    let deadline: number | undefined;
    /** How long the last poll took: a long-poll answered at once was not held. */
    let lastPollMs = Infinity;
    /** The request waiting on the device, once it said so: withdrawn if this call gives up. */
    let waiting: string | undefined;
    try {
      for (;;) {
        if (res.status === 200 && res.contentType.startsWith('application/jose')) {
          return openResponse(res.body.trim(), this.#o.identity, this.#o.device, {
            clientId: this.#o.clientId,
            now: this.#clock.now(),
          });
        }
        const err = deviceError(res);
        if (err.code !== 'ERR_AUTHORIZATION_PENDING' && err.code !== 'ERR_SLOW_DOWN') throw err;
        const info = pendingInfo(res.body);
        opts.onPending?.({ authReqId: info.auth_req_id, expiresIn: info.expires_in });
        // Fixed at the first answer: past the device's own expiry, its "expired" answer is the one
        // the caller sees; a shorter timeoutMs ends the wait first.
        deadline ??= started + (opts.timeoutMs ?? info.expires_in * 1000 + 5000);
        // A device that holds polls (long_poll) is asked again at once: it answers as soon as the
        // person decides. Otherwise, or when a held poll came back at once, poll at the interval.
        const holds = info.long_poll !== undefined && err.code !== 'ERR_SLOW_DOWN';
        const waitMs =
          holds && lastPollMs >= 500
            ? 0
            : info.interval * 1000 + (err.code === 'ERR_SLOW_DOWN' ? 1000 : 0);
        const sent = this.#clock.now();
        waiting = info.auth_req_id;
        res = await this.#poll(path, info, { waitMs, deadline, hold: holds }, opts);
        lastPollMs = this.#clock.now() - sent - waitMs;
      }
    } catch (err) {
      if (waiting && isDiscoError(err) && GAVE_UP.has(err.code)) void this.#withdraw(path, waiting);
      throw err;
    }
  }

  /**
   * Sends a call's first request; while the device cannot be reached, sends the same sealed
   * request again (the same `jti`: the device files it at most once and answers a repeat as it
   * answered the first), pausing 0.5 s, 1, 2, 4…, for `resendMs` from the start of the call or
   * until its `timeoutMs`, well inside the request's own 120 s lifetime.
   */
  async #first(
    path: string,
    params: Record<string, unknown>,
    started: number,
    opts: CallOptions,
  ): Promise<TransportResponse> {
    const body = await this.#seal(path, params, opts.signal);
    const until =
      started + Math.min(this.#o.resendMs ?? RESEND_MS, opts.timeoutMs ?? Infinity, 100_000);
    for (let misses = 0; ; misses++) {
      let error: DiscoError;
      try {
        const res = await this.#post(path, body, opts.signal);
        if (res.status === 200) return res;
        error = deviceError(res);
        if (!UNREACHABLE.has(error.code)) return res;
      } catch (cause) {
        if (!(cause instanceof DiscoError) || !UNREACHABLE.has(cause.code)) throw cause;
        error = cause;
      }
      const pause = Math.min(500 * 2 ** misses, 4000);
      if (this.#clock.now() + pause > until) throw error;
      await (this.#o.wait ?? sleep)(pause, opts.signal);
    }
  }

  /**
   * Withdraws a request this client gave up on (docs/wire/engine.md "Withdraw"): the card leaves
   * the person's device and nobody approves a request whose answer no one collects. Best-effort
   * and not awaited by the caller, whose own error (aborted, timed out) is the one that counts:
   * a device that cannot be reached, or that was answered meanwhile (`ERR_CONSENT_DECIDED`),
   * changes nothing here. Resolves with the device's error code, or `undefined` when withdrawn.
   */
  #withdraw(path: string, authReqId: string): Promise<ErrorCode | undefined> {
    const sent = this.#send(path, {
      client_secret: this.#o.clientSecret,
      auth_req_id: authReqId,
      withdraw: true,
    }).then(
      (res) => (res.status === 200 ? undefined : deviceError(res).code),
      (err: unknown) => (isDiscoError(err) ? err.code : 'ERR_TRANSPORT_FAILED'),
    );
    this.withdrawals.push(sent);
    return sent;
  }

  /**
   * Waits, then asks for the outcome of a filed request. A poll that cannot reach the device is
   * retried with a doubling pause (from the device's interval up to MAX_RETRY_MS) until the
   * deadline, then its error is the caller's. (The first request is sent again by `#first`.)
   */
  async #poll(
    path: string,
    info: PendingInfo,
    { waitMs, deadline, hold }: { waitMs: number; deadline: number; hold: boolean },
    opts: CallOptions,
  ): Promise<TransportResponse> {
    for (let misses = 1; ; misses++) {
      const left = deadline - this.#clock.now();
      if (left <= 0) throw new DiscoError('ERR_TIMEOUT', 'The person did not answer in time.');
      await (this.#o.wait ?? sleep)(Math.min(waitMs, left), opts.signal);
      let error: DiscoError;
      try {
        const remaining = Math.floor((deadline - this.#clock.now()) / 1000);
        const wait = hold && info.long_poll ? Math.max(1, Math.min(info.long_poll, remaining)) : 0;
        const res = await this.#send(
          path,
          {
            client_secret: this.#o.clientSecret,
            auth_req_id: info.auth_req_id,
            ...(wait ? { wait } : {}),
          },
          opts.signal,
        );
        if (res.status === 200) return res;
        error = deviceError(res);
        if (!UNREACHABLE.has(error.code)) return res;
      } catch (cause) {
        if (!(cause instanceof DiscoError) || !UNREACHABLE.has(cause.code)) throw cause;
        error = cause;
      }
      if (this.#clock.now() >= deadline) throw error;
      waitMs = Math.min(Math.max(info.interval, 1) * 1000 * 2 ** misses, MAX_RETRY_MS);
      opts.onUnreachable?.({ authReqId: info.auth_req_id, error, retryInMs: waitMs });
    }
  }
}
