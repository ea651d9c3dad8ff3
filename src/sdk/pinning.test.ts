import { describe, expect, it } from 'vitest';
import { makeDevice } from '../testing/engine_harness.js';
import { isDiscoError } from '../protocol/errors/index.js';
import { DiscoClient } from './client.js';
import { createClientIdentity } from './client_identity.js';

describe('the SDK pins the device key from pairing', () => {
  it('refuses an answer signed by any other key (ERR_RESPONSE_UNTRUSTED)', async () => {
    const real = await makeDevice();
    const other = await makeDevice();
    const me = await createClientIdentity({ name: 'Pinned Shop', clock: real.clock });
    const honest = await real.client('Pinned Shop', { identity: me });
    await honest.register();
    // Same device, same transport, but the client pinned another device's signing key (as if a
    // relay had swapped keys at pairing): the real device's answers must be refused.
    const misled = new DiscoClient({
      clientId: 'pinned-shop',
      clientName: 'Pinned Shop',
      clientSecret: 'secret-of-Pinned Shop-'.padEnd(40, 'x'),
      isTrusted: false,
      identity: me,
      device: { ...real.device, signingJwk: other.device.signingJwk },
      transport: real.transport,
      clock: real.clock,
      wait: async (ms) => {
        real.clock.t += ms;
        await Promise.resolve();
      },
    });
    real.person.answer = 'remember';
    await honest.requestKeyA(['address']);
    const err = await misled.requestKeyA(['address']).catch((e: unknown) => e);
    expect(isDiscoError(err, 'ERR_RESPONSE_UNTRUSTED')).toBe(true);
  });
});
