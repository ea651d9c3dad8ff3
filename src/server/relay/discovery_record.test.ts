import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServedRelayRecord } from '../../protocol/nodetrust/index.js';
import { listen } from '../listen.js';
import { discoveryRecordRoutes } from './discovery_record.js';

const closes: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closes.splice(0)) await close();
});

async function serve(current: () => ServedRelayRecord | null): Promise<string> {
  const app = express();
  app.use(discoveryRecordRoutes(current));
  const server = await listen(app, 0, '127.0.0.1');
  closes.push(server.close);
  return server.url;
}

describe('GET /.well-known/disco-relay', () => {
  it("answers the relay's current record, readable from any origin, and 404 while there is none", async () => {
    let current: ServedRelayRecord | null = null;
    const url = await serve(() => current);
    const none = await fetch(`${url}/.well-known/disco-relay`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: string }).code).toBe('ERR_NOT_FOUND');

    current = { record: 'token-1', peer: '12D3KooWpeer', recordName: '_disco-relay.pabc.zone' };
    const res = await fetch(`${url}/.well-known/disco-relay`, {
      headers: { origin: 'https://device.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual(current);

    // a renewal's new record is what the next request gets
    current = { ...current, record: 'token-2' };
    const again = (await (await fetch(`${url}/.well-known/disco-relay`)).json()) as {
      record: string;
    };
    expect(again.record).toBe('token-2');
  });
});
