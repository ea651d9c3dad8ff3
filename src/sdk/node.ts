/**
 * The SDK's Node-only part: WebRTC data channels through node-datachannel, straight to the device.
 * Browsers have the same in `src/sdk/browser.ts`; both can also use `fetchTransport(proxy_url)`
 * (the relay's HTTP tunnel). Also finding a nodetrust relay by its peer id (DNS and a TLS handshake).
 */
import { Resolver } from 'node:dns/promises';
import tls from 'node:tls';
import { DiscoError } from '../protocol/errors/index.js';
import {
  checkRelayCertificate,
  discoverRelay,
  parseLabel,
  type RelayRecord,
} from '../protocol/nodetrust/index.js';
import { PeerDeviceLink, type PeerDeviceLinkOptions } from './peer_link/peer_device_link.js';
import { linkIceOptions } from './peer_link/relay_ice_config.js';
import { relaySignalling } from './peer_link/signalling_options.js';
import { linkTransport } from './link_transport.js';
import type { Transport } from './transport.js';

export { PeerDeviceLink, type PeerDeviceLinkOptions };
export { createNodePeer, type NodePeerOptions } from './peer_link/node_peer.js';

export interface PeerTransportOptions extends Omit<
  PeerDeviceLinkOptions,
  'host' | 'port' | 'path' | 'refreshIce'
> {
  /** For `/ice-servers`; default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * Opens a direct transport to the device `peerId`, signalling through the relay at `relayUrl`
 * (its PeerJS path `/peerjs`). ICE servers: `opts.iceServers` when given (`[]` for none), else the
 * relay's `GET /ice-servers`, renewed before they expire. Close `link` when done.
 */
export function peerTransport(
  relayUrl: string,
  peerId: string,
  opts: PeerTransportOptions = {},
): { transport: Transport; link: PeerDeviceLink } {
  const { iceServers, iceTransportPolicy, fetch: fetchImpl, ...rest } = opts;
  const ice = linkIceOptions(relayUrl, {
    ...(iceServers === undefined ? {} : { iceServers }),
    ...(iceTransportPolicy === undefined ? {} : { iceTransportPolicy }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  const link = new PeerDeviceLink({ ...relaySignalling(relayUrl), ...ice, ...rest });
  return { transport: linkTransport(link, peerId), link };
}

export interface DiscoverNodetrustRelayOptions {
  /** The relay's peer id (base58 `12D3KooW…` or base32), as its operator gave it. */
  readonly peer: string;
  /** The nodetrust zone (`nodetrust.disco.test` in tests). */
  readonly zone: string;
  /** DNS servers to ask (`host:port`); the system's by default. */
  readonly dnsServers?: readonly string[];
  /** PEM roots the relay's certificate must chain to; Node's public roots by default. */
  readonly ca?: string | readonly string[];
  readonly timeoutMs?: number;
}

function relayLeaf(
  record: RelayRecord,
  ca: DiscoverNodetrustRelayOptions['ca'],
  timeoutMs: number,
) {
  const url = new URL(record.url);
  const label = parseLabel(url.hostname.slice(0, url.hostname.indexOf('.')));
  if (!label || label.kind === 'peer') {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'relay record: url is not an ip name');
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    // the ip4/ip6 name says the address: no second lookup that DNS could answer differently
    const socket = tls.connect({
      host: label.address,
      port: Number(url.port || 443),
      servername: url.hostname,
      ...(ca ? { ca: typeof ca === 'string' ? ca : [...ca] } : {}),
      timeout: timeoutMs,
    });
    const fail = (cause: unknown) => {
      socket.destroy();
      reject(new DiscoError('ERR_TRANSPORT_FAILED', `relay ${record.url}: TLS failed`, { cause }));
    };
    socket.once('secureConnect', () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new Uint8Array(der));
    });
    socket.once('error', fail);
    socket.once('timeout', () => fail(new Error('timeout')));
  });
}

/**
 * Finds a nodetrust relay by its peer id and checks it (docs/wire/nodetrust.md, "Relay discovery
 * record"): its signed record from DNS (`_disco-relay.p<peer>.<zone>` TXT), then a TLS handshake
 * with its URL, whose certificate must chain to `ca` for the URL's name AND be the one the
 * record pins (ERR_NODETRUST_RECORD_CERTIFICATE). The answer is the record: use `record.url` as
 * the relay URL. Node only (DNS and a raw TLS handshake).
 */
export async function discoverNodetrustRelay(
  options: DiscoverNodetrustRelayOptions,
): Promise<RelayRecord> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (options.dnsServers) resolver.setServers([...options.dnsServers]);
  const record = await discoverRelay({
    peer: options.peer,
    zone: options.zone,
    nowMs: Date.now(),
    resolveTxt: (name) => resolver.resolveTxt(name),
  });
  checkRelayCertificate(record, await relayLeaf(record, options.ca, timeoutMs));
  return record;
}
