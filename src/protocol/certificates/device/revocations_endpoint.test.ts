import { describe, expect, it } from 'vitest';
import { b64u, systemRandom } from '../../encoding/index.js';
import { isDiscoError } from '../../errors/index.js';
import { PBKDF2_MIN_ITERATIONS, setupDevice } from '../../identity/index.js';
import { MemoryStore } from '../../storage/index.js';
import { parseRevocationList } from '../parse_revocation_list.js';
import { CAP_COLLECTIONS } from './records.js';
import { capabilityRevocations } from './revocations_endpoint.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const GET = { method: 'GET', path: '/disco/capability/revocations', headers: {} };

describe('GET /disco/capability/revocations', () => {
  it('answers the list signed now by the identity key, as {list: base64url}', async () => {
    const store = new MemoryStore();
    const { identity } = await setupDevice(store, {
      passphrase: 'a long enough passphrase',
      clock: { now: () => NOW },
      random: systemRandom,
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    const id = b64u.encode(new Uint8Array(32).fill(9));
    await store.write([
      {
        op: 'put',
        collection: CAP_COLLECTIONS.revocations,
        key: 'device',
        value: { sequence: 4, revoked: [id] },
      },
    ]);
    const deps = { store, clock: { now: () => NOW + 5_000 }, random: systemRandom, origin: '' };
    const res = await capabilityRevocations(GET, deps);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    const { list } = JSON.parse(res.body) as { list: string };
    const parsed = await parseRevocationList(b64u.decode(list), { now: NOW + 5_000 });
    expect(parsed).toMatchObject({ sequence: 4, revoked: [id], issuedAt: (NOW + 5_000) / 1000 });
    expect(b64u.encode(parsed.issuer)).toBe(identity.signingJwk.x);
  });

  it('refuses on a device that is not set up', async () => {
    const deps = {
      store: new MemoryStore(),
      clock: { now: () => NOW },
      random: systemRandom,
      origin: '',
    };
    await expect(capabilityRevocations(GET, deps)).rejects.toSatisfy((e) =>
      isDiscoError(e, 'ERR_IDENTITY_MISSING'),
    );
  });
});
