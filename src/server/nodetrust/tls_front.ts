import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  callJson,
  createRelayRecord,
  ed25519Signer,
  parseInfo,
  parseLabel,
  PATHS,
  relayRecordName,
  type ServedRelayRecord,
  type Signer,
} from '../../protocol/nodetrust/index.js';
import { obtainCertificate, type NodeCertificate } from './client.js';

/** A relay's discovery record lives an hour and is republished every half hour. */
const RECORD_VALIDITY_SECONDS = 3_600;

export interface TlsFrontOptions {
  /** The nodetrust issue server (docs/wire/nodetrust.md). */
  readonly issueUrl: string;
  /** The plain HTTP server to put TLS in front of: the relay. */
  readonly target: { readonly host: string; readonly port: number };
  /** Where the TLS front listens; port 0 picks a free one. */
  readonly host?: string;
  readonly port?: number;
  /**
   * The node's Ed25519 identity; a fresh one by default (the `ip` names do not depend on it, but
   * its discovery record is found by its peer id: keep one to be found again after a restart).
   */
  readonly identity?: CryptoKeyPair;
  readonly fetch?: typeof fetch;
  readonly log?: (event: string, fields: Record<string, string>) => void;
  readonly now?: () => number;
}

export interface TlsFront {
  /** `https://<first ip4/ip6 name>:<port>`: the relay's public URL over TLS. */
  readonly url: string;
  readonly port: number;
  /** The names the current certificate covers (its `ip4…`/`ip6…` names and the `p…` name). */
  names(): readonly string[];
  /** The current chain, PEM, leaf first. */
  certificate(): string;
  /** The relay's peer id (base58) and where its signed discovery record is published in DNS. */
  readonly peer: string;
  readonly recordName: string;
  /** The last discovery record published, or null when the issue server offers no place for it. */
  record(): string | null;
  /** The same record with its peer id and DNS name, as the relay serves it (`discoveryRecord`). */
  served(): ServedRelayRecord | null;
  /** Gets a new certificate now and serves it to new connections. */
  renew(): Promise<void>;
  close(): Promise<void>;
}

/** Renew once two thirds of the lifetime have passed, as Let's Encrypt advises its clients. */
function renewDelay(cert: NodeCertificate, now: number): number {
  const leaf = leafOf(cert);
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  return Math.max(60_000, from + ((to - from) * 2) / 3 - now);
}

function leafOf(cert: NodeCertificate): X509Certificate {
  return new X509Certificate(cert.certificate.split(/(?=-----BEGIN)/)[0] ?? '');
}

/**
 * Signs and publishes the relay's discovery record (protocol/nodetrust/relay_record.ts) for the
 * certificate it now serves at `url`, to the DNS server's record endpoint.
 */
async function publishRecord(
  signer: Signer,
  cert: NodeCertificate,
  url: string,
  recordUrl: string,
  fetchFn: typeof fetch,
  nowMs: number,
): Promise<string> {
  const addresses = cert.names.flatMap((name) => {
    const parsed = parseLabel(name.slice(0, name.indexOf('.')));
    return parsed && parsed.kind !== 'peer' ? [parsed.address] : [];
  });
  const record = await createRelayRecord(
    signer,
    {
      url,
      names: cert.names.slice(0, 4),
      addresses: addresses.slice(0, 4),
      certificateSha256: createHash('sha256').update(leafOf(cert).raw).digest(),
    },
    nowMs,
    RECORD_VALIDITY_SECONDS,
  );
  await callJson(fetchFn, recordUrl, { record }, 15_000);
  return record;
}

/**
 * TLS for a relay run on a bare IP address (issue #10): obtains a nodetrust certificate for the
 * `ip4`/`ip6` names of the addresses the proof servers see (`includeAddresses`), then terminates
 * TLS on its own port and passes the bytes to the relay's plain HTTP port, so HTTPS and WSS
 * (a WebSocket upgrade is just more bytes) work without touching the relay. The certificate is
 * renewed at two thirds of its lifetime (retried every minute on failure) and the new one served
 * to new connections (`setSecureContext`); open connections keep theirs.
 * It then publishes its signed discovery record (the seed's discovery broadcast) where the issue
 * server's info says (`relayRecordUrl`), again after every renewal and every half hour.
 * Why a byte pipe rather than an `https.Server` inside the relay: the relay's HTTP server and its
 * upgrade handlers stay exactly as they are, and the front can be added to any deployment.
 */
export async function startTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const now = options.now ?? Date.now;
  const identity =
    options.identity ?? (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']));
  const signer = await ed25519Signer(identity);
  const fetchFn = options.fetch ?? fetch;
  const obtain = () =>
    obtainCertificate({
      issueUrl: options.issueUrl,
      identity,
      includeAddresses: true,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  let current = await obtain();
  const context = (c: NodeCertificate) => ({ key: c.privateKeyPem, cert: c.certificate });
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(context(current), (client) => {
    const upstream = net.connect(options.target.port, options.target.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  // a failed handshake (a scanner, a client that does not trust the CA) is that client's business
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const ipName = current.names.find((n) => /^ip[46]/.test(n)) ?? current.names[0] ?? '127.0.0.1';
  const url = `https://${ipName}:${port}`;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let recordTimer: ReturnType<typeof setTimeout> | undefined;
  let record: string | null = null;
  let closed = false;
  // the certificate's names are all in the issue server's zone
  const zone = (current.names[0] ?? '').slice((current.names[0] ?? '').indexOf('.') + 1);
  // Where to publish is asked each time: a failure here must not stop the relay serving.
  const publish = async () => {
    clearTimeout(recordTimer);
    if (closed) return;
    let again = (RECORD_VALIDITY_SECONDS * 1000) / 2;
    try {
      const info = parseInfo(
        await callJson(fetchFn, `${options.issueUrl}${PATHS.info}`, undefined, 15_000),
      );
      if (!info.relayRecordUrl) return; // this issue server offers no place for records
      record = await publishRecord(signer, current, url, info.relayRecordUrl, fetchFn, now());
    } catch (err) {
      options.log?.('nodetrust.record_failed', { error: String(err) });
      again = 60_000;
    }
    if (closed) return;
    recordTimer = setTimeout(() => void publish(), again);
    recordTimer.unref();
  };
  const schedule = (delay: number) => {
    clearTimeout(timer);
    if (closed) return;
    timer = setTimeout(
      () => {
        renew().catch((err: unknown) => {
          options.log?.('nodetrust.renew_failed', { error: String(err) });
          schedule(60_000);
        });
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.unref();
  };
  const renew = async () => {
    const next = await obtain();
    server.setSecureContext(context(next));
    current = next;
    options.log?.('nodetrust.renewed', { names: next.names.join(' ') });
    schedule(renewDelay(next, now()));
    await publish();
  };
  schedule(renewDelay(current, now()));
  await publish();

  const recordName = relayRecordName(signer.peer, zone);
  return {
    url,
    port,
    peer: signer.peer.text,
    recordName,
    record: () => record,
    served: () => (record ? { record, peer: signer.peer.text, recordName } : null),
    names: () => current.names,
    certificate: () => current.certificate,
    renew,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(recordTimer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
