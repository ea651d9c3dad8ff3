import type { Express } from 'express';
import { DiscoClient, type DeviceInfo, type Transport } from '../../sdk/index.js';
import type { DemoApp, DemoConfig } from './config.js';
import { timedFetch } from './fetch.js';
import { consoleLogger, finish, servePublic, type Logger } from './http.js';
import { loadOrCreateIdentity, type DemoIdentity } from './identity.js';

/** What a demo company is once started: who it is, how it logs and fetches, its identity. */
export interface Company {
  clientId: string;
  name: string;
  relayUrl: string;
  log: Logger;
  /** `fetch` with timeouts (the test's `sdk.fetch` if given): for the relay, tunnels, peers. */
  fetchFn: typeof fetch;
  me: DemoIdentity;
  sdk: DemoConfig['sdk'];
}

/** Loads or creates the company's identity; `who` is the config already checked. */
export async function openCompany(
  config: DemoConfig,
  who: { clientId: string; name: string; relayUrl: string },
): Promise<Company> {
  const log = config.log ?? consoleLogger;
  const fetchFn = timedFetch(config.sdk?.fetch ?? fetch);
  const me = await loadOrCreateIdentity({
    dir: config.dataDir,
    name: who.name,
    log,
    ...(config.sdk?.clock ? { clock: config.sdk.clock } : {}),
  });
  return { ...who, log, fetchFn, me, sdk: config.sdk };
}

/** The SDK client for one device, as this company (and on the test's clock, if any). */
export function clientFor(
  c: Company,
  to: { isTrusted: boolean; device: DeviceInfo; transport: Transport },
): DiscoClient {
  return new DiscoClient({
    clientId: c.clientId,
    clientName: c.name,
    clientSecret: c.me.clientSecret,
    identity: c.me.identity,
    ...to,
    ...(c.sdk?.clock ? { clock: c.sdk.clock } : {}),
    ...(c.sdk?.wait ? { wait: c.sdk.wait } : {}),
  });
}

/**
 * Ends the company's app after its API routes (its page beside `moduleUrl`, JSON 404s and
 * errors) and describes it to the caller.
 */
export function demoApp(c: Company, app: Express, moduleUrl: string, close: () => void): DemoApp {
  servePublic(app, moduleUrl);
  finish(app, c.log);
  return {
    app,
    clientId: c.clientId,
    name: c.name,
    thumbprint: c.me.thumbprint,
    fingerprint: c.me.fingerprint,
    close,
  };
}
