import { DiscoError, ERROR_CODES, type ErrorCode } from '../errors/index.js';
import { isKeyAlgorithm, type KeyAlgorithm } from './algorithms.js';

/** HTTP paths, named after the seed's protocol ids (docs/wire/nodetrust.md). */
export const PATHS = {
  info: '/nodetrust/issue/info/1.0.0',
  issue: '/nodetrust/issue/1.0.0',
  proof: '/nodetrust/proof/1.0.0',
  dns01: '/nodetrust/dns-01/1.0.0',
  relayRecord: '/nodetrust/relay-record/1.0.0',
} as const;

/** `GET /nodetrust/issue/info/1.0.0`. */
export interface IssueInfo {
  readonly audience: string;
  readonly zone: string;
  readonly proofServers: readonly { readonly url: string | null; readonly peer: string }[];
  readonly algorithms: readonly KeyAlgorithm[];
  readonly proofValiditySeconds: number;
  /** Where a relay publishes its signed discovery record (next to the DNS server), if offered. */
  readonly relayRecordUrl?: string;
}

/** `POST /nodetrust/issue/1.0.0` answer. */
export interface IssueAnswer {
  /** PEM: the leaf first, then the intermediates, as the CA sent them (RFC 8555 §7.4.2). */
  readonly certificate: string;
  readonly names: readonly string[];
  readonly algorithm: KeyAlgorithm;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unexpected(what: string): DiscoError {
  return new DiscoError('ERR_RESPONSE_UNTRUSTED', `nodetrust: unexpected ${what}`);
}

export function parseInfo(body: unknown): IssueInfo {
  if (!isRecord(body) || typeof body.audience !== 'string' || typeof body.zone !== 'string') {
    throw unexpected('info');
  }
  const servers = Array.isArray(body.proofServers) ? body.proofServers : [];
  const algorithms = Array.isArray(body.algorithms) ? body.algorithms.filter(isKeyAlgorithm) : [];
  return {
    audience: body.audience,
    zone: body.zone,
    proofServers: servers
      .filter(isRecord)
      .flatMap((s) =>
        typeof s.peer === 'string'
          ? [{ peer: s.peer, url: typeof s.url === 'string' ? s.url : null }]
          : [],
      ),
    algorithms,
    proofValiditySeconds:
      typeof body.proofValiditySeconds === 'number' ? body.proofValiditySeconds : 300,
    ...(typeof body.relayRecordUrl === 'string' ? { relayRecordUrl: body.relayRecordUrl } : {}),
  };
}

/**
 * POSTs (or GETs, without `body`) JSON with a deadline; a refusal becomes the DiscoError the
 * server named (its `code`), anything else ERR_TRANSPORT_FAILED or ERR_TIMEOUT — never a hang.
 */
export async function callJson(
  fetchFn: FetchLike,
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
    throw new DiscoError(
      timedOut ? 'ERR_TIMEOUT' : 'ERR_TRANSPORT_FAILED',
      `nodetrust: ${url} unreachable`,
      {
        cause,
      },
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new DiscoError('ERR_TRANSPORT_FAILED', `nodetrust: ${url} answered no JSON`, { cause });
  }
  if (response.ok) return json;
  const code = isRecord(json) ? json.code : undefined;
  const message =
    isRecord(json) && typeof json.error_description === 'string' ? json.error_description : '';
  if (typeof code === 'string' && code in ERROR_CODES && code !== 'ERR_INTERNAL') {
    throw new DiscoError(code as ErrorCode, message || `nodetrust: ${url} refused`);
  }
  throw new DiscoError('ERR_TRANSPORT_FAILED', `nodetrust: ${url} answered ${response.status}`);
}
