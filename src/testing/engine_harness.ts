import { MemoryStore } from '../protocol/storage/memory_store.js';
import { setupDevice } from '../protocol/identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../protocol/identity/passphrase_key.js';
import { systemRandom } from '../protocol/encoding/index.js';
import { handleRequest } from '../protocol/engine/index.js';
import type { EngineDeps } from '../protocol/engine/types.js';
import { decide, loadContext, COLLECTIONS, type PendingRecord } from '../protocol/auth/index.js';
import {
  DiscoClient,
  createClientIdentity,
  fetchDeviceInfo,
  type ClientIdentity,
  type Transport,
} from '../sdk/index.js';
import { VAULT } from '../protocol/vault/fields.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/**
 * A device on a MemoryStore with a fake clock, reached by the real SDK through the real engine
 * (handleRequest), and a scripted person who answers pending requests while clients wait.
 */
export async function makeDevice() {
  const clock = { t: T0, now: () => clock.t };
  const store = new MemoryStore();
  await setupDevice(store, {
    passphrase: 'engine test passphrase',
    clock,
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  await store.write([
    {
      op: 'put',
      collection: VAULT,
      key: 'name',
      value: { kind: 'name', value: 'Ada Lovelace', updatedAt: T0 },
    },
    {
      op: 'put',
      collection: VAULT,
      key: 'address',
      value: {
        kind: 'address',
        value: { street_address: '12 St James Sq', locality: 'London', country: 'UK' },
        updatedAt: T0,
      },
    },
    {
      op: 'put',
      collection: VAULT,
      key: 'email',
      value: { kind: 'email', value: 'ada@example.org', updatedAt: T0 },
    },
  ]);
  const notified: PendingRecord[] = [];
  const deps: EngineDeps = {
    store,
    clock,
    random: systemRandom,
    origin: 'https://device.test',
    notify: (p) => notified.push(p),
  };
  const transport: Transport = {
    get: async (path) => res(await handleRequest({ method: 'GET', path, headers: {} }, deps)),
    post: async (path, body) =>
      res(
        await handleRequest(
          { method: 'POST', path, headers: {}, body: new TextEncoder().encode(body) },
          deps,
        ),
      ),
  };
  const device = await fetchDeviceInfo(transport);
  /** What the person does when a client is waiting: one answer per pending request. */
  const person = {
    answer: 'approve' as 'approve' | 'deny' | 'ignore' | 'remember',
    decided: [] as PendingRecord[],
    /** While set, a waiting client stays parked until it settles (tests that decide by hand). */
    held: undefined as Promise<void> | undefined,
  };
  const act = async () => {
    if (person.answer === 'ignore') return;
    for (const { value: p } of await store.list<PendingRecord>(COLLECTIONS.pending)) {
      if (p.status !== 'pending') continue;
      const ctx = await loadContext(deps);
      person.decided.push(
        await decide(
          p.id,
          {
            approve: person.answer !== 'deny',
            remember: person.answer === 'remember',
            by: 'person',
          },
          ctx,
        ),
      );
    }
  };
  const wait = async (ms: number) => {
    if (person.held) await person.held;
    clock.t += ms;
    await act();
  };
  async function client(
    name: string,
    opts: {
      trusted?: boolean;
      kind?: 'RSA' | 'P-256';
      identity?: ClientIdentity;
      /** The way to the device, for tests that break it (default: straight to the engine). */
      transport?: Transport;
      resendMs?: number;
    } = {},
  ) {
    const identity =
      opts.identity ?? (await createClientIdentity({ name, kind: opts.kind ?? 'P-256', clock }));
    return new DiscoClient({
      clientId: name.toLowerCase().replace(/\s+/g, '-'),
      clientName: name,
      clientSecret: `secret-of-${name}-`.padEnd(40, 'x'),
      isTrusted: opts.trusted ?? false,
      identity,
      device,
      transport: opts.transport ?? transport,
      clock,
      wait,
      ...(opts.resendMs === undefined ? {} : { resendMs: opts.resendMs }),
    });
  }
  return { clock, store, deps, transport, device, person, client, notified, act };
}

function res(r: { status: number; headers: Record<string, string>; body: string }) {
  return { status: r.status, contentType: r.headers['content-type'] ?? '', body: r.body };
}
