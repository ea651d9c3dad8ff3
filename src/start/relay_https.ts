import { createHash, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServedRelayRecord } from '../protocol/nodetrust/index.js';
import { loadOrCreateIdentity } from '../server/nodetrust/identity_file.js';
import type { Nodetrust } from '../server/nodetrust/start_nodetrust.js';
import { startTlsFront, type TlsFront } from '../server/nodetrust/tls_front.js';

export interface RelayHttpsOptions {
  /** The running nodetrust service; undefined when it is off (then there is no HTTPS front). */
  readonly nodetrust: Nodetrust | undefined;
  /** The relay's plain HTTP port on this host. */
  readonly target: { readonly host: string; readonly port: number };
  /** The front's port on 127.0.0.1 (DISCO_RELAY_TLS_PORT); 0 picks a free one. */
  readonly port: number;
  /** The relay's Ed25519 identity file, made at first use: its peer id survives restarts. */
  readonly keyFile: string;
  readonly log?: (event: string, fields: Record<string, string>) => void;
}

export interface RelayHttps {
  /** The TLS front, or null when there is none (`lines` says why). */
  readonly front: TlsFront | null;
  /** What `npm start` prints about it. */
  readonly lines: string;
  /** For the relay's `discoveryRecord` option (GET /.well-known/disco-relay). */
  served(): ServedRelayRecord | null;
  close(): Promise<void>;
}

const LABEL = '  Relay (HTTPS)   ';
const INDENT = ' '.repeat(LABEL.length);

/**
 * The relay's HTTPS front for `npm start` (issue #10): the same nodetrust TLS front as
 * `npm run relay -- --nodetrust` (a certificate from the CA, through our issue server, for the
 * relay's `ip4127-0-0-1.<zone>` name, and its signed discovery record published), in front of the
 * plain http relay, which stays as it is for the device app on localhost. On 127.0.0.1 only:
 * the name stands for that address. A failure is printed, never fatal: the rest of `npm start`
 * does not need the front.
 */
export async function startRelayHttps(options: RelayHttpsOptions): Promise<RelayHttps> {
  const none = (why: string): RelayHttps => ({
    front: null,
    lines: `${LABEL}none (${why})`,
    served: () => null,
    close: () => Promise.resolve(),
  });
  const nt = options.nodetrust;
  if (!nt) return none('nodetrust is not running');
  let front: TlsFront;
  try {
    await mkdir(dirname(options.keyFile), { recursive: true });
    front = await startTlsFront({
      issueUrl: nt.issueUrl,
      target: options.target,
      host: '127.0.0.1',
      port: options.port,
      identity: await loadOrCreateIdentity(options.keyFile),
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (err) {
    return none(`no certificate: ${(err as Error).message}`);
  }
  const leaf = new X509Certificate(front.certificate().split(/(?=-----BEGIN)/)[0] ?? '');
  const ca = /CN=([^\n,]+)/.exec(leaf.issuer)?.[1] ?? leaf.issuer;
  // Chromium's SPKI list names the leaf's key: pebble's root is new at every start, and
  // Chromium takes no root from its command line
  const spki = createHash('sha256')
    .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  const record = front.record()
    ? `signed record TXT ${front.recordName}, and at ${front.url}/.well-known/disco-relay`
    : 'no signed record published yet (retried every minute)';
  return {
    front,
    lines: [
      `${LABEL}${front.url}   certificate by ${ca}`,
      `${INDENT}${record}`,
      `${INDENT}the name resolves through the DNS server above only; a browser reaches it with`,
      `${INDENT}chromium --host-resolver-rules="MAP *.${nt.zone} 127.0.0.1" --ignore-certificate-errors-spki-list=${spki}`,
    ].join('\n'),
    served: () => front.served(),
    close: () => front.close(),
  };
}
