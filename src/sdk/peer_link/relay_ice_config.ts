import { fetchIceConfig, type IceConfig } from '../../protocol/tunnel/ice_config.js';
import type { PeerLinkOptions } from './peer_link.js';
import type { IceOptions } from './signalling_options.js';

export interface RelayIceConfigOptions {
  /** The environment's `fetch`; default the global one. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Ask again when the credentials expire within this long; default 60 s. */
  renewBeforeMs?: number;
  /**
   * Ask again after this many connections with the same credentials; default 8. coturn counts
   * its allocation quota per username, and each data connection holds one allocation.
   */
  maxUses?: number;
}

/**
 * The relay's ICE configuration (`GET <relay>/ice-servers`, docs/wire/relay.md), kept fresh: it is
 * fetched when there is none yet or when its TURN credentials expire within `renewBeforeMs`, and
 * callers at the same moment share one fetch. A failed fetch is not kept: the next call asks again.
 */
export class RelayIceConfig {
  readonly relayUrl: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #renewBeforeMs: number;
  readonly #maxUses: number;
  #current: IceConfig | undefined;
  #uses = 0;
  #pendingUses = 0;
  #pending: Promise<IceConfig> | undefined;

  constructor(relayUrl: string, opts: RelayIceConfigOptions = {}) {
    this.relayUrl = relayUrl;
    const given = opts.fetch;
    // never called as a method of this object: a browser's fetch then throws "Illegal invocation"
    this.#fetch = given ?? ((input, init) => fetch(input, init));
    this.#now = opts.now ?? (() => Date.now());
    this.#renewBeforeMs = opts.renewBeforeMs ?? 60_000;
    this.#maxUses = opts.maxUses ?? 8;
  }

  /**
   * The configuration for one new connection: current for at least `renewBeforeMs`, and used for
   * fewer than `maxUses` connections; ERR_TRANSPORT_FAILED as `fetchIceConfig`.
   */
  fresh(): Promise<IceConfig> {
    const current = this.#current;
    if (
      current &&
      current.expiresAt - this.#now() > this.#renewBeforeMs &&
      this.#uses < this.#maxUses
    ) {
      this.#uses++;
      return Promise.resolve(current);
    }
    if (this.#pending) {
      this.#pendingUses++;
      return this.#pending;
    }
    const fetchImpl = this.#fetch;
    const pending = fetchIceConfig(this.relayUrl, fetchImpl, this.#now).then((config) => {
      this.#current = config;
      this.#uses = this.#pendingUses;
      return config;
    });
    this.#pending = pending;
    this.#pendingUses = 1;
    const settled = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(settled, settled);
    return pending;
  }

  /** The servers of the last configuration fetched; none before the first. */
  iceServers(): RTCIceServer[] {
    return this.#current?.iceServers ?? [];
  }

  /** The policy of the last configuration fetched; `all` before the first. */
  iceTransportPolicy(): RTCIceTransportPolicy {
    return this.#current?.iceTransportPolicy ?? 'all';
  }
}

/**
 * Link options that take the ICE servers from the relay at `relayUrl`, renewed before each new
 * data connection when they are about to expire: spread them into a link's options.
 */
export function iceFromRelay(
  relayUrl: string,
  opts: RelayIceConfigOptions = {},
): Required<IceOptions> & Required<Pick<PeerLinkOptions, 'refreshIce'>> {
  const ice = new RelayIceConfig(relayUrl, opts);
  return {
    iceServers: () => ice.iceServers(),
    iceTransportPolicy: () => ice.iceTransportPolicy(),
    refreshIce: () => ice.fresh(),
  };
}

/**
 * The ICE options of a link to devices behind the relay at `relayUrl`: `o.iceServers` when given
 * (a list, `[]` for none, or a function), else the relay's, kept fresh (`iceFromRelay`, with
 * `o.fetch`, `o.now`, `o.renewBeforeMs`); a given `iceTransportPolicy` wins over the relay's.
 */
export function linkIceOptions(
  relayUrl: string,
  o: IceOptions & RelayIceConfigOptions,
): IceOptions & Pick<PeerLinkOptions, 'refreshIce'> {
  const { iceServers, iceTransportPolicy, ...fresh } = o;
  const policy = iceTransportPolicy === undefined ? {} : { iceTransportPolicy };
  if (iceServers !== undefined) return { iceServers, ...policy };
  return { ...iceFromRelay(relayUrl, fresh), ...policy };
}
