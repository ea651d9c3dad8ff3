import { MemoryStore } from '../../storage/index.js';
import { generateKey } from '../test_keys.js';

/** The tests' "now": 2026-12-03 09:00 UTC. */
export const START = Date.UTC(2026, 11, 3, 9, 0, 0);

/**
 * What the device's capability operations run on in tests: an identity key, a clock the test
 * moves (`clock.t`), counting "random" bytes (reproducible) and an empty store.
 */
export async function deviceBase() {
  const key = await generateKey();
  const device = { issuer: key.publicKey, sign: key.sign };
  const clock = {
    t: START,
    now() {
      return this.t;
    },
  };
  let counter = 0;
  const random = (n: number) => new Uint8Array(n).fill(++counter % 256);
  const store = new MemoryStore();
  return { key, device, clock, random, store };
}
