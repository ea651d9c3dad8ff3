import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { captureLogger } from './log.js';
import { startRelay } from './start_relay.js';
import { FakeDeviceLink } from './testing.js';

describe('startRelay', () => {
  it('makes the device link after signalling is up, so the link’s own peer can connect', async () => {
    const link = new FakeDeviceLink();
    const running = await startRelay({
      production: false,
      logger: captureLogger(),
      isDeviceOnline: () => true, // the fake link stands for the device
      deviceLink: async (publicUrl) => {
        const ws = new WebSocket(
          `${publicUrl.replace('http', 'ws')}/peerjs/peerjs?key=peerjs&id=relay-1&token=t`,
        );
        const first = await new Promise<string>((r) =>
          ws.once('message', (d: Buffer) => r(d.toString())),
        );
        expect(JSON.parse(first)).toEqual({ type: 'OPEN' });
        ws.close();
        return link;
      },
    });
    expect(running.publicUrl).toBe(running.url);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${running.url}/p/disco-${'0'.repeat(32)}/disco/x`);
    expect(res.status).toBe(200);
    expect(link.requests).toHaveLength(1);
    await running.close();
    expect(link.closed).toBe(true);
    const refused = await fetch(`${running.url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
  });
});
