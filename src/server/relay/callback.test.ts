import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from './log.js';
import { json, makeDevice, makeRp, startTestRelay } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
interface Received {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** An RP's callback endpoint on 127.0.0.1. */
async function rpServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : null,
      });
      handle(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { received, url: `http://127.0.0.1:${port}`, close: () => server.closeAllConnections() };
}

async function until(relay: TestRelay, prefix: string): Promise<LogEntry> {
  for (let i = 0; i < 100; i++) {
    const entry = relay.logger.entries.find((e) => e.event.startsWith(prefix));
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${prefix} log entry`);
}

async function uidFor(relay: TestRelay, callback: string) {
  const rp = await makeRp(relay.clock.now());
  const res = await fetch(`${relay.base}/uid?callback=${encodeURIComponent(callback)}`, {
    headers: { 'disco-client-certificate': rp.header },
  });
  return { res, body: (await res.json()) as Record<string, string> };
}

describe('callback (dev/test: loopback allowed)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ allowLoopbackCallbacks: true, callbackTimeoutMs: 300 });
  });
  afterAll(() => relay.close());

  it('posts the device to the RP with its wait token as Bearer', async () => {
    const rp = await rpServer((_req, res) => res.writeHead(204).end());
    const { res, body } = await uidFor(relay, `${rp.url}/disco-callback?x=1#frag`);
    expect(res.status).toBe(200);
    const device = await makeDevice();
    const paired = await fetch(
      `${relay.base}/uid`,
      json(device.pairBody(body.uid!, relay.publicUrl)),
    );
    expect(((await paired.json()) as { callback: boolean }).callback).toBe(true);
    expect((await until(relay, 'callback.')).event).toBe('callback.delivered');
    expect(rp.received).toEqual([
      {
        path: '/disco-callback?x=1',
        authorization: `Bearer ${body.wait_token}`,
        body: device.pairBody(body.uid!, relay.publicUrl),
      },
    ]);
    rp.close();
  });

  it('follows no redirect and gives up after the timeout', async () => {
    const target = await rpServer((_req, res) => res.writeHead(204).end());
    const redirecting = await rpServer((_req, res) =>
      res.writeHead(302, { location: `${target.url}/` }).end(),
    );
    relay.logger.entries.length = 0;
    const first = await uidFor(relay, redirecting.url);
    await fetch(
      `${relay.base}/uid`,
      json((await makeDevice()).pairBody(first.body.uid!, relay.publicUrl)),
    );
    expect((await until(relay, 'callback.')).fields.code).toBe('ERR_TRANSPORT_FAILED');
    expect(target.received).toHaveLength(0);

    const silent = await rpServer(() => undefined);
    relay.logger.entries.length = 0;
    const second = await uidFor(relay, silent.url);
    await fetch(
      `${relay.base}/uid`,
      json((await makeDevice()).pairBody(second.body.uid!, relay.publicUrl)),
    );
    expect((await until(relay, 'callback.')).fields.code).toBe('ERR_TIMEOUT');
    for (const server of [target, redirecting, silent]) server.close();
  });
});

describe('callback (production rules)', () => {
  let relay: TestRelay;
  let answers: Record<string, string[]>;
  beforeAll(async () => {
    answers = { 'rp.example': ['93.184.216.34'], localhost: ['127.0.0.1', '::1'] };
    relay = await startTestRelay({
      allowLoopbackCallbacks: false,
      resolveHost: (host) => Promise.resolve(answers[host] ?? []),
    });
  });
  afterAll(() => relay.close());

  it('refuses http, loopback, private and unresolvable callbacks when the uid is made', async () => {
    for (const callback of [
      'http://rp.example/cb',
      'https://127.0.0.1/cb',
      'https://localhost/cb',
      'https://[::1]/cb',
      'https://10.1.2.3/cb',
      'https://user:pw@rp.example/cb',
      'https://nowhere.example/cb',
      'not a url',
    ]) {
      const { res, body } = await uidFor(relay, callback);
      expect([callback, res.status, body.code]).toEqual([callback, 400, 'ERR_CALLBACK_REFUSED']);
    }
    expect((await uidFor(relay, 'https://rp.example/cb')).res.status).toBe(200);
  });

  it('checks the address again before posting (DNS rebinding)', async () => {
    const { body } = await uidFor(relay, 'https://rp.example/cb');
    answers['rp.example'] = ['93.184.216.34', '10.0.0.7'];
    relay.logger.entries.length = 0;
    await fetch(
      `${relay.base}/uid`,
      json((await makeDevice()).pairBody(body.uid!, relay.publicUrl)),
    );
    const entry = await until(relay, 'callback.');
    expect([entry.event, entry.fields.code]).toEqual(['callback.failed', 'ERR_CALLBACK_REFUSED']);
  });
});
