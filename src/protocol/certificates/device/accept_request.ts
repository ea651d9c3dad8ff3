import { parseRequestLink, resolveRequest, type FetchBytes } from '../request_origin.js';
import type { CertificateRequest } from '../request.js';
import type { CapabilityDeps } from './deps.js';
import { CAP_COLLECTIONS, type CapabilityRequestRecord } from './records.js';

/**
 * Opens a scanned or linked certificate request (docs/wire/certificates.md "Delivery"): the link is
 * read with `parseRequestLink`, a `request_uri` is fetched with `fetchBytes` and checked against
 * its hash, the request's signature and lifetime are checked, and it waits in Requests. Opening
 * the same request twice keeps the first record. Anything malformed is refused with its
 * `ERR_CAP_*` code and nothing is written.
 */
export async function acceptCapabilityRequest(
  link: string,
  deps: Pick<CapabilityDeps, 'store' | 'clock'> & { fetchBytes: FetchBytes },
): Promise<{ record: CapabilityRequestRecord; request: CertificateRequest }> {
  const now = deps.clock.now();
  const resolved = await resolveRequest(parseRequestLink(link), {
    now,
    fetchBytes: deps.fetchBytes,
  });
  const { request } = resolved;
  const existing = await deps.store.get<CapabilityRequestRecord>(
    CAP_COLLECTIONS.requests,
    request.id,
  );
  if (existing) return { record: existing, request };
  const record: CapabilityRequestRecord = {
    id: request.id,
    bytes: resolved.bytes,
    origin: resolved.origin,
    status: resolved.status,
    receivedAt: now,
    expiresAt: request.expiresAt * 1000,
  };
  await deps.store.write([
    { op: 'put', collection: CAP_COLLECTIONS.requests, key: request.id, value: record },
  ]);
  return { record, request };
}
