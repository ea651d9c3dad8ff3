import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { decodeFrame, encodeFrame } from './frames.js';
import { TunnelClient } from './tunnel_client.js';
import { TunnelServer } from './tunnel_server.js';

/** A data channel between a client and a server that can go silent (a phone losing its network). */
function channel() {
  const link = { up: true };
  const server = new TunnelServer({
    send: (f) => void (link.up && queueMicrotask(() => client.receive(f))),
    handle: () =>
      Promise.resolve({ status: 200, headers: {}, body: new TextEncoder().encode('ok') }),
  });
  let dead: string | undefined;
  const client = new TunnelClient({
    send: (f) => void (link.up && queueMicrotask(() => server.receive(f))),
    timeoutMs: 60_000,
    heartbeat: { everyMs: 3000, deadMs: 9000, onDead: (why) => (dead = why) },
  });
  return { link, client, server, dead: () => dead };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('tunnel liveness: ping and pong (frame version 2)', () => {
  it('ping and pong are frames of their own, with exactly their keys', () => {
    expect(decodeFrame(encodeFrame({ t: 'ping', id: 7 }))).toEqual({ t: 'ping', id: 7 });
    expect(decodeFrame(encodeFrame({ t: 'pong', id: 7 }))).toEqual({ t: 'pong', id: 7 });
    expect(() => encodeFrame({ t: 'ping', id: 7, x: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });

  it('a device that silently goes away is noticed within 10 s: requests fail ERR_DEVICE_UNREACHABLE', async () => {
    const { link, client, dead } = channel();
    await vi.advanceTimersByTimeAsync(3000); // first ping, answered
    expect(client.answersPings).toBe(true);
    expect(await client.request({ method: 'GET', path: '/disco/x', headers: {} })).toMatchObject({
      status: 200,
    });
    link.up = false; // no close event: the network is simply gone
    const waiting = codeOf(client.request({ method: 'GET', path: '/disco/x', headers: {} }));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(await waiting).toBe('ERR_DEVICE_UNREACHABLE');
    expect(dead()).toMatch(/stopped answering/);
    expect(await codeOf(client.request({ method: 'GET', path: '/', headers: {} }))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
  });

  it('a device that keeps answering pongs is never timed out, however long it is idle', async () => {
    const { client, dead } = channel();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(dead()).toBeUndefined();
    const res = client.request({ method: 'GET', path: '/disco/x', headers: {} });
    await vi.advanceTimersByTimeAsync(1);
    expect((await res).status).toBe(200);
    client.close();
  });

  it('a version-1 device (which ignores pings) is still understood and never timed out by them', async () => {
    const to: { client?: TunnelClient } = {};
    const v1 = new TunnelServer({
      send: (f) => void queueMicrotask(() => to.client?.receive(f)),
      handle: () => Promise.resolve({ status: 204, headers: {}, body: new Uint8Array(0) }),
    });
    let dead = false;
    const client = (to.client = new TunnelClient({
      send: (f) =>
        // a version-1 device: every ping is an unknown frame it drops
        void (decodeFrame(f).t !== 'ping' && queueMicrotask(() => v1.receive(f))),
      timeoutMs: 60_000,
      heartbeat: { everyMs: 3000, deadMs: 9000, onDead: () => (dead = true) },
    }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.answersPings).toBe(false);
    expect(dead).toBe(false);
    const res = client.request({ method: 'GET', path: '/disco/x', headers: {} });
    await vi.advanceTimersByTimeAsync(1);
    expect((await res).status).toBe(204);
    client.close();
  });
});
