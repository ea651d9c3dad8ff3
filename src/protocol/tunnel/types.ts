import type { EngineRequest } from '../engine/types.js';

/**
 * The HTTP tunnel: a relying party's plain HTTP request reaches the device's service worker over
 * a WebRTC data channel (DESIGN.md flow 1, `proxy_url`). These are the request and answer as the
 * two ends see them; `frames.ts` says how they cross the channel. The request is the engine's
 * own (`EngineRequest`): one shape from the relay to the endpoints.
 */
export type TunnelRequest = EngineRequest;

export interface TunnelResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * How the relay (or an SDK) reaches one device by its peer id. Implementations: WebRTC through
 * PeerJS (node-datachannel in Node). Errors are DiscoErrors: `ERR_DEVICE_UNREACHABLE` when the
 * device is not connected or does not answer in time, `ERR_TOO_LARGE` past the size limits.
 */
export interface DeviceLink {
  request(peerId: string, req: TunnelRequest, signal?: AbortSignal): Promise<TunnelResponse>;
  /**
   * The device left signalling: drop its channel now, failing waiting requests with
   * ERR_DEVICE_UNREACHABLE (WebRTC alone notices a vanished peer only after about 30 s).
   */
  forget?(peerId: string): void;
  close(): Promise<void>;
}

/** Largest body either way through the tunnel. */
export const TUNNEL_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Largest single frame on the data channel (PeerJS `raw` allows 262,144 bytes). */
export const TUNNEL_MAX_FRAME_BYTES = 64 * 1024;
