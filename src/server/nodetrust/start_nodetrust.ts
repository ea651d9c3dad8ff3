import { randomBytes } from 'node:crypto';
import express from 'express';
import {
  ed25519Signer,
  normalizeZone,
  PATHS,
  type Signer,
} from '../../protocol/nodetrust/index.js';
import { listen } from '../listen.js';
import { createAcmeIssuer } from './acme_issuer.js';
import { createDns01App } from './dns/dns01_app.js';
import { createRelayRecordApp } from './dns/relay_record_app.js';
import { startDnsServer } from './dns/dns_server.js';
import { createIssueApp } from './issue_server.js';
import { startPebble, type Pebble } from './pebble.js';
import { createProofApp } from './proof_server.js';
import type { NodetrustRateLimits } from './rate_limit.js';

export interface NodetrustConfig {
  /** The zone the DNS server is authoritative for. */
  readonly zone?: string;
  /** Address every server listens on; 127.0.0.1 by default. */
  readonly host?: string;
  /** DNS port (UDP and TCP); 0 (default) picks a free one. */
  readonly dnsPort?: number;
  /** How many proof servers, each with its own key (default 2). */
  readonly proofServers?: number;
  /** The CA. Without it, Debian's pebble is started, resolving through our DNS server. */
  readonly acme?: {
    readonly directoryUrl: string;
    readonly caCertificates?: string;
    readonly email?: string;
  };
  /** Passed to pebble (env, binary) when it is started here. */
  readonly pebble?: { readonly env?: Readonly<Record<string, string>>; readonly binary?: string };
  readonly acmeTimeoutMs?: number;
  /** Per-address limits of the proof and issue servers (docs/wire/nodetrust.md). */
  readonly rateLimits?: NodetrustRateLimits;
  readonly log?: (err: unknown) => void;
}

export interface Nodetrust {
  readonly zone: string;
  readonly dns: { readonly host: string; readonly port: number };
  readonly dns01Url: string;
  /** `POST` a relay's discovery record here; `GET ?peer=` reads it (docs/wire/nodetrust.md). */
  readonly relayRecordUrl: string;
  readonly proofUrls: readonly string[];
  readonly proofServers: readonly string[];
  readonly issueUrl: string;
  readonly ca: { readonly directoryUrl: string; readonly pebble: Pebble | null };
  stop(): Promise<void>;
}

const DEFAULT_ZONE = 'nodetrust.disco.test';

/**
 * Starts the whole nodetrust service on `host` (docs/wire/nodetrust.md): the DNS server with its
 * dns-01 endpoint, the proof servers, the issue server and (unless a CA is configured) pebble.
 * One line to wire into `npm start`: `const nt = await startNodetrust({})`, print its URLs,
 * `await nt.stop()` on exit.
 */
export async function startNodetrust(config: NodetrustConfig = {}): Promise<Nodetrust> {
  const host = config.host ?? '127.0.0.1';
  const zone = normalizeZone(config.zone ?? DEFAULT_ZONE);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const dns = await startDnsServer({
      zone,
      host,
      ...(config.dnsPort ? { port: config.dnsPort } : {}),
    });
    stops.push(() => dns.close());
    const token = randomBytes(32).toString('base64url');
    // the DNS server's HTTP side: relays publish their records here, the issue server challenges
    const dnsHttp = express();
    dnsHttp.use(createRelayRecordApp({ zone, records: dns.relayRecords }));
    dnsHttp.use(createDns01App({ zone, token, challenges: dns.challenges }));
    const dns01 = await listen(dnsHttp, 0, host);
    stops.push(dns01.close);
    const relayRecordUrl = `${dns01.url}${PATHS.relayRecord}`;

    const signers: Signer[] = [];
    const proofUrls: string[] = [];
    for (let i = 0; i < (config.proofServers ?? 2); i++) {
      const keys = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
      const signer = await ed25519Signer(keys);
      const server = await listen(
        createProofApp({
          signer,
          ...(config.rateLimits?.proofPerMinute !== undefined
            ? { perMinute: config.rateLimits.proofPerMinute }
            : {}),
        }),
        0,
        host,
      );
      stops.push(server.close);
      signers.push(signer);
      proofUrls.push(server.url);
    }

    let pebble: Pebble | null = null;
    let acme = config.acme;
    if (!acme) {
      pebble = await startPebble({ dnsServer: `${host}:${dns.port}`, ...config.pebble });
      stops.push(pebble.stop);
      acme = { directoryUrl: pebble.directoryUrl, caCertificates: pebble.tlsCertificate };
    }
    const issuer = createAcmeIssuer({
      ...acme,
      dns01: { url: dns01.url, token },
      ...(config.acmeTimeoutMs ? { timeoutMs: config.acmeTimeoutMs } : {}),
    });
    // The audience is the issue server's own URL, known once it listens.
    const root = express();
    const issue = await listen(root, 0, host);
    stops.push(issue.close);
    root.use(
      createIssueApp({
        audience: issue.url,
        zone,
        proofServers: signers.map((s, i) => ({ peer: s.peer.text, url: proofUrls[i] ?? null })),
        issuer,
        relayRecordUrl,
        ...(config.log ? { log: config.log } : {}),
        ...(config.rateLimits?.issuePerMinute !== undefined
          ? { perMinute: config.rateLimits.issuePerMinute }
          : {}),
      }),
    );
    return {
      zone,
      dns: { host, port: dns.port },
      dns01Url: dns01.url,
      relayRecordUrl,
      proofUrls,
      proofServers: signers.map((s) => s.peer.text),
      issueUrl: issue.url,
      ca: { directoryUrl: acme.directoryUrl, pebble },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
