import { b64u } from '../../encoding/index.js';
import type { Endpoint } from '../../engine/types.js';
import { deviceRevocationList } from './device_revocation_list.js';
import { deviceSigner } from './device_signer.js';

/**
 * `GET /disco/capability/revocations` (docs/wire/certificates.md "How a verifier gets the list"): the
 * device's list, signed afresh for each request. The engine's answers are text (the tunnel and
 * the service worker carry strings), so the envelope travels as base64url in
 * `{ "list": "…" }`, the same body a device pushes to `POST /disco/revocations`. Public: the
 * list is signed, and it names only certificate ids.
 */
export const capabilityRevocations: Endpoint = async (_req, { store, clock }) => {
  const list = await deviceRevocationList({ store, clock, device: await deviceSigner(store) });
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ list: b64u.encode(list.bytes) }),
  };
};
