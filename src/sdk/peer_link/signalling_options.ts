/**
 * STUN/TURN servers for new WebRTC connections: a fixed list, or a function read again for every
 * new RTCPeerConnection (TURN credentials are short-lived; see `RelayIceConfig`).
 */
export type IceServersOption = RTCIceServer[] | (() => RTCIceServer[]);
export type IceTransportPolicyOption = RTCIceTransportPolicy | (() => RTCIceTransportPolicy);

/** How data channels may connect: the part of the signalling options that is WebRTC's. */
export interface IceOptions {
  /** STUN/TURN servers; default none (never PeerJS's public defaults). */
  iceServers?: IceServersOption;
  /** `relay` allows only TURN-relayed candidates; default `all`. */
  iceTransportPolicy?: IceTransportPolicyOption;
}

/** Where the PeerJS signalling server is, and how data channels may connect. */
export interface SignallingOptions extends IceOptions {
  host: string;
  port: number;
  /** Mount path of the PeerJS server, e.g. `/peerjs`. */
  path: string;
  /** `wss:` instead of `ws:`; default false. */
  secure?: boolean;
  /** PeerJS server key; default `peerjs`. */
  key?: string;
  /** How long to wait for the signalling server to accept the peer; default 10 s. */
  serverTimeoutMs?: number;
}

/**
 * The signalling server of the Disco relay at `relayUrl`: its PeerJS server is mounted at
 * `/peerjs` on the relay's host (docs/wire/relay.md), over TLS when the relay is `https:`.
 */
export function relaySignalling(
  relayUrl: string,
): Pick<SignallingOptions, 'host' | 'port' | 'path' | 'secure' | 'key'> {
  const url = new URL(relayUrl);
  const secure = url.protocol === 'https:';
  return {
    host: url.hostname,
    port: Number(url.port || (secure ? 443 : 80)),
    path: '/peerjs',
    secure,
    key: 'peerjs',
  };
}
