import { describe, expect, it } from 'vitest';
import { makeDevice } from '../testing/engine_harness.js';
import { DiscoError } from '../protocol/errors/index.js';
import { fetchDeviceInfo } from './device_info.js';
import type { Transport } from './transport.js';

/** The device's transport, unreachable for its first `misses` reads (a relay's 504, or a throw). */
async function blinking(misses: number, how: 'status' | 'throw' = 'status') {
  const d = await makeDevice();
  let gets = 0;
  const transport: Transport = {
    get: async (path, signal) => {
      if (++gets <= misses) {
        if (how === 'throw')
          throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The connection to the device closed.');
        return { status: 504, contentType: 'application/json', body: '{}' };
      }
      return d.transport.get(path, signal);
    },
    post: (path, body, signal) => d.transport.post(path, body, signal),
  };
  return { d, transport, gets: () => gets };
}

describe('fetchDeviceInfo and a device that blinks', () => {
  it('asks again while the device cannot be reached, then pins it', async () => {
    for (const how of ['status', 'throw'] as const) {
      const { d, transport, gets } = await blinking(2, how);
      const info = await fetchDeviceInfo(transport, d.device.deviceId, { retryForMs: 15_000 });
      expect(info.deviceId).toBe(d.device.deviceId);
      expect(gets()).toBe(3);
    }
  });

  it('without retryForMs, one miss is the answer', async () => {
    const { transport, gets } = await blinking(1);
    await expect(fetchDeviceInfo(transport)).rejects.toMatchObject({
      code: 'ERR_DEVICE_UNREACHABLE',
    });
    expect(gets()).toBe(1);
  });

  it('gives up with ERR_DEVICE_UNREACHABLE once retryForMs has passed', async () => {
    const { transport, gets } = await blinking(Infinity);
    // pauses of 0.5 s and 1 s fit in 1.6 s; the next (2 s) does not
    await expect(fetchDeviceInfo(transport, undefined, { retryForMs: 1600 })).rejects.toMatchObject(
      { code: 'ERR_DEVICE_UNREACHABLE' },
    );
    expect(gets()).toBe(3);
  });

  it('asks once when the answer is not a miss (another device’s keys)', async () => {
    const { transport, gets } = await blinking(0);
    await expect(
      fetchDeviceInfo(transport, 'not-this-device', { retryForMs: 15_000 }),
    ).rejects.toMatchObject({ code: 'ERR_RESPONSE_UNTRUSTED' });
    expect(gets()).toBe(1);
  });

  it('stops at once when the caller aborts during a pause', async () => {
    const { transport, gets } = await blinking(Infinity);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    await expect(
      fetchDeviceInfo(transport, undefined, { retryForMs: 15_000, signal: stop.signal }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(gets()).toBe(1);
  });
});
