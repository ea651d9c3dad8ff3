import {
  createCsr,
  ed25519Signer,
  generateCertificateKey,
  obtainCertificate as obtain,
  type KeyAlgorithm,
  type ObtainedCertificate,
  type Signer,
} from '../../protocol/nodetrust/index.js';

export interface NodeObtainOptions {
  readonly issueUrl: string;
  readonly proofUrls?: readonly string[];
  /** The node's Ed25519 identity: a key pair or a Signer. */
  readonly identity: CryptoKeyPair | Signer;
  /** The certificate key's algorithm; P-256 by default. */
  readonly algorithm?: KeyAlgorithm;
  /** Also certify the ip4/ip6 names of the addresses the proof servers saw (a relay does). */
  readonly includeAddresses?: boolean;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly issueTimeoutMs?: number;
}

export interface NodeCertificate extends ObtainedCertificate {
  /** The certificate's private key, PKCS #8 PEM, for a TLS server (`https.createServer`). */
  readonly privateKeyPem: string;
  readonly keys: CryptoKeyPair;
}

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Obtains a nodetrust certificate from Node (the relay, tests): makes the certificate key here
 * (it never leaves this process), then runs the pure client flow (`protocol/nodetrust`
 * `obtainCertificate`) with the global fetch.
 */
export async function obtainCertificate(options: NodeObtainOptions): Promise<NodeCertificate> {
  const identity =
    'sign' in options.identity ? options.identity : await ed25519Signer(options.identity);
  let keys: CryptoKeyPair | undefined;
  const result = await obtain({
    issueUrl: options.issueUrl,
    ...(options.proofUrls ? { proofUrls: options.proofUrls } : {}),
    identity,
    algorithms: [options.algorithm ?? 'ecdsa-p256'],
    includeAddresses: options.includeAddresses ?? false,
    createCsr: async (names, algorithm) => {
      keys = await generateCertificateKey(algorithm, { extractable: true });
      return createCsr(names, keys, algorithm);
    },
    fetch: options.fetch ?? fetch,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.issueTimeoutMs ? { issueTimeoutMs: options.issueTimeoutMs } : {}),
  });
  if (!keys) throw new Error('unreachable: a certificate without a key');
  const privateKeyPem = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { ...result, privateKeyPem, keys };
}
