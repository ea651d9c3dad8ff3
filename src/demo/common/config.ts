import type { Express } from 'express';
import type { Clock } from '../../protocol/encoding/index.js';
import type { Logger } from './http.js';

/** What both demo companies are configured with. */
export interface DemoConfig {
  /** The Disco relay, e.g. `http://127.0.0.1:8711`. */
  relayUrl: string;
  /** Where the company's key, certificate and client secret live (`.cache/demo/<name>/`). */
  dataDir: string;
  /** The client id the device stores (`[A-Za-z0-9._:-]{1,128}`). */
  clientId?: string;
  /** The name the device shows (at most 100 characters). */
  clientName?: string;
  log?: Logger;
  /**
   * For tests: the SDK's clock and its wait between polls (a fake device answers while the
   * client waits), and the `fetch` used for the relay and the tunnel.
   */
  sdk?: {
    clock?: Clock;
    wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
    fetch?: typeof fetch;
  };
}

/** A demo company: its Express app, who it is, and `close()` to cancel what it still waits for. */
export interface DemoApp {
  app: Express;
  clientId: string;
  name: string;
  /** The certificate's `x5t#S256`. */
  thumbprint: string;
  /** What people compare: 8 groups of 4. */
  fingerprint: string;
  close(): void;
}

export const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkDemoConfig(c: DemoConfig, defaults: { clientId: string; name: string }) {
  const clientId = c.clientId ?? defaults.clientId;
  const name = c.clientName ?? defaults.name;
  if (!CLIENT_ID.test(clientId)) throw new Error(`Invalid client id ${JSON.stringify(clientId)}.`);
  if (!name.trim() || name.length > 100)
    throw new Error('The client name must be 1–100 characters.');
  return { clientId, name, relayUrl: httpBase(c.relayUrl, 'relayUrl') };
}

/** An http(s) base URL without credentials, query or fragment; returned without a trailing slash. */
export function httpBase(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} is not a URL: ${JSON.stringify(value)}.`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new Error(`${what} must be an http(s) URL without credentials, query or fragment.`);
  }
  return url.href.replace(/\/+$/, '');
}
