import https from 'node:https';
import acme from 'acme-client';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import { PATHS } from '../../protocol/nodetrust/index.js';

/** Gets a certificate for a CSR whose names the issue server has already checked. */
export interface CertificateIssuer {
  /** `csrPem` is a PKCS #10 request in PEM; the answer is the PEM chain, leaf first. */
  issue(csrPem: string): Promise<string>;
}

export interface AcmeIssuerOptions {
  /** The CA's ACME directory (RFC 8555 §7.1.1): pebble's, or Let's Encrypt's. */
  readonly directoryUrl: string;
  /** PEM of a CA to trust for the directory's TLS (pebble's own certificate). Process-wide. */
  readonly caCertificates?: string;
  /** The DNS server's dns-01 endpoint (base URL) and its bearer token. */
  readonly dns01: { readonly url: string; readonly token: string };
  readonly email?: string;
  /** Deadline of one whole order (ms). */
  readonly timeoutMs?: number;
  /** First pause while polling an order or authorization (ms); acme-client's default is 5 s. */
  readonly pollMs?: number;
}

async function setTxt(
  options: AcmeIssuerOptions,
  action: 'set' | 'remove',
  name: string,
  value: string,
) {
  let response: Response;
  try {
    response = await fetch(`${options.dns01.url.replace(/\/+$/, '')}${PATHS.dns01}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${options.dns01.token}`,
      },
      body: JSON.stringify({ action, name, value }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new DiscoError('ERR_NODETRUST_DNS_FAILED', 'dns-01: DNS server unreachable', { cause });
  }
  if (!response.ok) {
    throw new DiscoError(
      'ERR_NODETRUST_DNS_FAILED',
      `dns-01: DNS server answered ${response.status}`,
    );
  }
}

/**
 * ACME v2 (RFC 8555) with acme-client: one account per issuer (a P-256 key made at first use),
 * DNS-01 only (§8.4), the TXT record set through the DNS server's dns-01 endpoint and removed
 * afterwards. acme-client retries `badNonce` (§6.5) itself; its own DNS pre-check is skipped
 * because the CA asks our DNS server directly. Every failure becomes ERR_NODETRUST_DNS_FAILED or
 * ERR_NODETRUST_CA_FAILED within `timeoutMs`.
 */
export function createAcmeIssuer(options: AcmeIssuerOptions): CertificateIssuer {
  if (options.caCertificates) {
    // acme-client has one axios instance per process and no per-client TLS option.
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: options.caCertificates });
  }
  let client: Promise<acme.Client> | undefined;
  const getClient = () =>
    (client ??= acme.crypto.createPrivateEcdsaKey('P-256').then(
      (accountKey) =>
        new acme.Client({
          directoryUrl: options.directoryUrl,
          accountKey,
          backoffMin: options.pollMs ?? 500,
          backoffMax: 5_000,
          backoffAttempts: 12,
        }),
    ));

  return {
    async issue(csrPem) {
      let dnsError: unknown;
      const order = getClient().then((acmeClient) =>
        acmeClient.auto({
          csr: csrPem,
          ...(options.email ? { email: options.email } : {}),
          termsOfServiceAgreed: true,
          challengePriority: ['dns-01'],
          skipChallengeVerification: true,
          challengeCreateFn: async (authz, _challenge, keyAuthorization) => {
            try {
              await setTxt(
                options,
                'set',
                `_acme-challenge.${authz.identifier.value}`,
                keyAuthorization,
              );
            } catch (err) {
              dnsError = err;
              throw err;
            }
          },
          challengeRemoveFn: async (authz, _challenge, keyAuthorization) => {
            await setTxt(
              options,
              'remove',
              `_acme-challenge.${authz.identifier.value}`,
              keyAuthorization,
            ).catch(
              () => undefined, // the record expires by itself
            );
          },
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DiscoError('ERR_NODETRUST_CA_FAILED', 'ACME: the CA took too long')),
          options.timeoutMs ?? 90_000,
        );
      });
      try {
        return await Promise.race([order, deadline]);
      } catch (cause) {
        if (isDiscoError(dnsError)) throw dnsError;
        if (isDiscoError(cause)) throw cause;
        throw new DiscoError('ERR_NODETRUST_CA_FAILED', 'ACME: the CA refused or failed', {
          cause,
        });
      } finally {
        clearTimeout(timer);
        order.catch(() => undefined); // a late failure after the deadline is not unhandled
      }
    },
  };
}
