import type { Clock, Random } from '../encoding/index.js';
import type { PendingRecord } from '../auth/records.js';
import type { Store } from '../storage/store.js';
import type { CertificateCache } from '../x509/index.js';

/** A request to the device's `/disco/…` endpoints, independent of where it came from. */
export interface EngineRequest {
  method: string;
  /** Path and query, e.g. `/disco/auth/authorize?x=1`. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body?: Uint8Array;
}

export interface EngineResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The side effects an endpoint may use. */
export interface EngineDeps {
  store: Store;
  clock: Clock;
  random: Random;
  /** The device app's origin, e.g. `https://disco.example`. */
  origin: string;
  /** Called when a request starts waiting for the person. */
  notify?: (pending: PendingRecord) => void;
  /**
   * Parsed client certificates and trust anchors, kept between requests (bytes → parse result
   * only; every check still runs on every request). Default: one cache shared by the process.
   */
  certificates?: CertificateCache;
}

export type Endpoint = (req: EngineRequest, deps: EngineDeps) => Promise<EngineResponse>;

export function json(status: number, value: unknown): EngineResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}
