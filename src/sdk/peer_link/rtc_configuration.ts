import type { IceOptions } from './signalling_options.js';

/**
 * The RTCConfiguration to give PeerJS (`config`). PeerJS keeps this one object and builds
 * `new RTCPeerConnection(config)` for every connection; browsers (WebIDL dictionary conversion)
 * and node-datachannel's polyfill (an object spread) read its members right then. So
 * `iceServers` and `iceTransportPolicy` are enumerable getters: a function given for either is
 * read again for each new connection, and short-lived TURN credentials stay current without a new
 * peer. Each read returns a copy, so the polyfill's in-place normalisation never reaches ours.
 */
export function rtcConfiguration(o: IceOptions): RTCConfiguration {
  const servers = o.iceServers ?? [];
  const policy = o.iceTransportPolicy ?? 'all';
  const config: RTCConfiguration = {};
  Object.defineProperties(config, {
    iceServers: {
      enumerable: true,
      configurable: true,
      get: (): RTCIceServer[] =>
        (typeof servers === 'function' ? servers() : servers).map((s) => ({
          ...s,
          urls: typeof s.urls === 'string' ? s.urls : [...s.urls],
        })),
    },
    iceTransportPolicy: {
      enumerable: true,
      configurable: true,
      get: (): RTCIceTransportPolicy => (typeof policy === 'function' ? policy() : policy),
    },
  });
  return config;
}
