import { TOKEN_TYPES, verify } from '../../protocol/jose/index.js';
import {
  DiscoError,
  fetchDeviceInfo,
  fetchTransport,
  isDiscoError,
  type DeviceInfo,
  type DiscoClient,
  type Transport,
} from '../../sdk/index.js';
import { clientFor } from '../common/company.js';
import { explain, type Step } from '../common/explain.js';
import { withTimeout } from '../common/fetch.js';
import { addressLines } from './address.js';
import type { CourierContext } from './context.js';
import { touch, type Delivery } from './delivery.js';

/** Most device ids whose registration is remembered; finished ones make room. */
const MAX_DEVICES = 10_000;

/** The tunnel with every request bounded by this delivery's signal and a timeout. */
function boundedTransport(inner: Transport, signal: AbortSignal): Transport {
  return {
    get: (path, s) => inner.get(path, withTimeout(s ?? signal)),
    post: (path, body, s) => inner.post(path, body, s ?? signal),
  };
}

async function pin(d: Delivery, transport: Transport, signal: AbortSignal): Promise<DeviceInfo> {
  try {
    return await fetchDeviceInfo(transport, d.deviceId);
  } catch (err) {
    if (signal.aborted) throw err;
    if (isDiscoError(err, 'ERR_ABORTED'))
      throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device did not answer in time.');
    if (isDiscoError(err)) throw err;
    // Not JSON, or not the metadata's shape: whatever answered is not a Disco device.
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device metadata is unreadable.', {
      cause: err,
    });
  }
}

/** Registers with the device once per device id (ERR_CLIENT_EXISTS: it was already). */
async function ensureRegistered(
  ctx: CourierContext,
  d: Delivery,
  client: DiscoClient,
  signal: AbortSignal,
): Promise<void> {
  const { registrations } = ctx;
  let entry = registrations.get(d.deviceId);
  if (!entry) {
    const promise = client.register(undefined, { signal }).then(
      () => undefined,
      (err: unknown) => {
        if (isDiscoError(err, 'ERR_CLIENT_EXISTS')) return;
        registrations.delete(d.deviceId);
        throw err;
      },
    );
    entry = { done: false, promise };
    const e = entry;
    promise.then(
      () => {
        e.done = true;
      },
      () => undefined,
    );
    registrations.set(d.deviceId, entry);
    if (registrations.size > MAX_DEVICES) {
      for (const [id, r] of registrations) {
        if (r.done) {
          registrations.delete(id);
          break;
        }
      }
    }
  }
  if (!entry.done) touch(ctx.clock, d, 'registering');
  await entry.promise;
}

/**
 * One delivery, in the background (DESIGN.md flow 5): pin the device, verify key B with its key,
 * register once, exchange key B for the address, and keep the label or the failure.
 */
export async function deliver(ctx: CourierContext, d: Delivery, keyB: string): Promise<void> {
  const { clock, clientId, name, log } = ctx;
  const signal = d.abort.signal;
  let step: Step = 'handoff';
  try {
    touch(clock, d, 'connecting');
    const transport = boundedTransport(fetchTransport(d.proxyUrl, ctx.fetchFn), signal);
    const device = await pin(d, transport, signal);
    // Before anything reaches the person: key B must be this device's, for this courier, so a
    // made-up handover cannot make the courier pester someone's device with requests.
    await verify(keyB, device.signingJwk, {
      now: () => clock.now(),
      issuer: device.deviceId,
      typ: TOKEN_TYPES.keyB,
      audience: clientId,
      confirmation: ctx.me.thumbprint,
    });
    const client = clientFor(ctx, { isTrusted: true, device, transport });
    step = 'register';
    const known = ctx.registrations.get(d.deviceId)?.done === true;
    await ensureRegistered(ctx, d, client, signal);
    step = 'data';
    touch(clock, d, 'requesting');
    let out: Awaited<ReturnType<DiscoClient['exchangeKeyB']>>;
    try {
      out = await client.exchangeKeyB(keyB, { signal });
    } catch (err) {
      // The person removed the courier on the device since: register again, once. Key B is
      // checked after the client, so it is not spent yet.
      if (!known || !isDiscoError(err, 'ERR_CLIENT_UNKNOWN')) throw err;
      ctx.registrations.delete(d.deviceId);
      step = 'register';
      await ensureRegistered(ctx, d, client, signal);
      step = 'data';
      touch(clock, d, 'requesting');
      out = await client.exchangeKeyB(keyB, { signal });
    }
    if (signal.aborted) return;
    const address = addressLines(out.fields.address);
    if (!address) {
      d.problem = {
        code: 'ERR_NO_ADDRESS',
        message: "The customer's Disco device has no postal address to share.",
      };
      touch(clock, d, 'failed');
      return;
    }
    d.address = address;
    touch(clock, d, 'ready');
    log.info(`${name}: delivery ${d.id} has its label.`);
  } catch (err) {
    if (signal.aborted) return;
    d.problem = explain(err, step, ctx.voice, log);
    touch(clock, d, 'failed');
    log.info(`${name}: delivery ${d.id} failed: ${d.problem.code}`);
  }
}
