import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from './log.js';
import { startRelay } from './start_relay.js';
import { FakeDeviceLink, startTestRelay } from './testing.js';

// Regression tests for issue #12.10 ("memory held for anyone"): uploads through the tunnel are
// checked before their body is read, capped in flight per address and overall, and dropped
// when they come too slowly. Raw TCP clients on loopback (127.0.0.x are distinct addresses).

const PEER = `disco-${'cd'.repeat(16)}`;
const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

interface Answer {
  status: number;
  code?: string;
  closed: boolean;
}

/**
 * Sends a request head and `sent` bytes of a body declared as `declared` (or chunked), and
 * resolves the relay's answer, or `null` if none came within `waitMs`.
 */
function upload(
  base: string,
  opts: { declared?: number; sent: number; from?: string; waitMs?: number; peer?: string },
): Promise<Answer | null> {
  const url = new URL(base);
  const socket = connect({
    host: url.hostname,
    port: Number(url.port),
    localAddress: opts.from ?? '127.0.0.1',
  });
  open.push(socket);
  const length =
    opts.declared === undefined
      ? 'transfer-encoding: chunked\r\n'
      : `content-length: ${opts.declared}\r\n`;
  socket.write(
    `POST /p/${opts.peer ?? PEER}/disco/data HTTP/1.1\r\nhost: relay\r\n` +
      `content-type: application/jose\r\n${length}\r\n`,
  );
  if (opts.sent > 0) {
    const bytes = Buffer.alloc(opts.sent, 0x61);
    socket.write(opts.declared === undefined ? `${opts.sent.toString(16)}\r\n` : '');
    socket.write(bytes);
  }
  return new Promise((resolve) => {
    let text = '';
    let answer: Answer | null = null;
    const timer = setTimeout(() => resolve(answer), opts.waitMs ?? 2000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const body = text.split('\r\n\r\n')[1];
      if (status && body?.endsWith('}')) {
        const code = (JSON.parse(body) as { code?: string }).code;
        answer = { status: Number(status), ...(code ? { code } : {}), closed: false };
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer && { ...answer, closed: true });
    });
  });
}

describe('tunnel uploads (issue #12.10)', () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  afterAll(() => relay?.close());

  it('refuses an upload to a device that is not online before reading its body', async () => {
    const link = new FakeDeviceLink();
    // the relay's own default: a device is online when it holds a signalling socket
    const running = await startRelay({
      deviceLink: link,
      logger: captureLogger(),
      production: false,
    });
    try {
      const started = Date.now();
      const answer = await upload(running.url, { declared: 8 * 1024 * 1024, sent: 100 });
      expect(answer).toMatchObject({ status: 504, code: 'ERR_DEVICE_UNREACHABLE', closed: true });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(link.requests).toHaveLength(0);
    } finally {
      await running.close();
    }
  });

  it('drops a slow upload after tunnelBodyTimeoutMs with a typed 408', async () => {
    relay = await startTestRelay({
      tunnelBodyTimeoutMs: 300,
      tunnelBodyBytesPerAddress: 1024 * 1024,
      tunnelBodyBytes: 1536 * 1024,
    });
    const started = Date.now();
    const answer = await upload(relay.base, { declared: 10_000, sent: 10 });
    expect(answer).toMatchObject({ status: 408, code: 'ERR_REQUEST_TIMEOUT', closed: true });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(relay.link.requests).toHaveLength(0);
  });

  it('caps the bodies one address has in flight (429), and everyone together (503)', async () => {
    const stalled = [
      upload(relay.base, { declared: 512 * 1024, sent: 10, waitMs: 5000 }),
      upload(relay.base, { declared: 512 * 1024, sent: 10, waitMs: 5000 }),
    ];
    await new Promise((r) => setTimeout(r, 100));
    // a third from the same address would pass 1 MiB: refused at once, body unread
    expect(await upload(relay.base, { declared: 512 * 1024, sent: 10 })).toMatchObject({
      status: 429,
      code: 'ERR_RATE_LIMITED',
      closed: true,
    });
    // another address still gets its share, up to the relay's 1.5 MiB
    const other = upload(relay.base, {
      declared: 512 * 1024,
      sent: 10,
      from: '127.0.0.2',
      waitMs: 5000,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(
      await upload(relay.base, { declared: 1024, sent: 1024, from: '127.0.0.3' }),
    ).toMatchObject({ status: 503, code: 'ERR_RELAY_BUSY', closed: true });
    // the stalled ones time out, and their budget comes back
    for (const answer of await Promise.all([...stalled, other]))
      expect(answer).toMatchObject({ status: 408, code: 'ERR_REQUEST_TIMEOUT' });
    expect(
      await upload(relay.base, { declared: 1024, sent: 1024, from: '127.0.0.3' }),
    ).toMatchObject({ status: 200 });
  });

  it('counts a chunked upload (no declared length) as the largest body, 8 MiB', async () => {
    const defaults = await startTestRelay({ tunnelBodyTimeoutMs: 500 }); // 16 MiB per address
    try {
      const chunked = [
        upload(defaults.base, { sent: 10, waitMs: 5000 }),
        upload(defaults.base, { sent: 10, waitMs: 5000 }),
      ];
      await new Promise((r) => setTimeout(r, 100));
      expect(await upload(defaults.base, { sent: 10 })).toMatchObject({
        status: 429,
        code: 'ERR_RATE_LIMITED',
      });
      for (const answer of await Promise.all(chunked))
        expect(answer).toMatchObject({ status: 408 });
    } finally {
      await defaults.close();
    }
  });

  it('refuses a declared length over the limit at once (413), unread', async () => {
    expect(
      await upload(relay.base, { declared: 9 * 1024 * 1024, sent: 10, from: '127.0.0.7' }),
    ).toMatchObject({ status: 413, code: 'ERR_TOO_LARGE', closed: true });
  });
});
