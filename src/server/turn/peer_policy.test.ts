import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentIceConfig } from '../relay/ice_servers.js';
import { startCoturn, type LocalTurnServer } from './coturn.js';
import { turnCredentials } from './credentials.js';
import { TurnTestClient } from './turn_test_client.js';

// A real coturn, asked by hand (TurnTestClient) for what a WebRTC stack never asks: permissions
// to chosen peer addresses, and more allocations than one address should hold (issue #12.12).
// Everything goes to 127.0.0.1: a CreatePermission sends nothing to the peer.

const USER_QUOTA = 3;
let production: LocalTurnServer;
let development: LocalTurnServer;
const clients: TurnTestClient[] = [];

beforeAll(async () => {
  // the production configuration, on loopback for the test: no loopback peers, small quota
  production = await startCoturn({ allowLoopbackPeers: false, userQuota: USER_QUOTA });
  development = await startCoturn(); // what npm start runs on 127.0.0.1
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([production?.close(), development?.close()]);
});

/** A new client (own UDP port) allocated with the relay's credentials for `address`. */
async function allocated(turn: LocalTurnServer, address = '127.0.0.1', now = Date.now()) {
  const client = await TurnTestClient.open('127.0.0.1', turn.port);
  clients.push(client);
  const config = currentIceConfig(
    {
      turn: { urls: turn.urls, secret: turn.secret, ttlSeconds: 600, policy: 'relay' },
      clock: { now: () => now },
    },
    address,
  );
  const { username = '', credential = '' } = config.iceServers[0] ?? {};
  return { client, status: await client.allocate(username, String(credential)) };
}

describe('the production TURN configuration', () => {
  it('refuses to relay to loopback, private, link-local, CGNAT, metadata, multicast and reserved peers', async () => {
    const { client, status } = await allocated(production);
    expect(status).toBe(200);
    const denied = [
      '127.0.0.1', // the host's own local-only services (the attack of issue #12.12)
      '127.255.0.9',
      '10.77.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata
      '100.100.100.200', // Alibaba metadata, in CGNAT space
      '100.64.0.1',
      '0.0.0.1',
      '192.0.0.170',
      '198.18.0.1',
      '224.0.0.251', // mDNS multicast
      '255.255.255.255',
    ];
    const answers = [];
    for (const peer of denied) answers.push(await client.createPermission(peer));
    expect(answers).toEqual(denied.map(() => 403));
  });

  it('still lets a client relay to a public peer', async () => {
    const { client } = await allocated(production);
    expect(await client.createPermission('9.9.9.9')).toBe(200);
  });

  it('caps one client address at its quota, however many /ice-servers answers it collects', async () => {
    const base = Date.now();
    const statuses = [];
    // a new answer (a new expiry, so a new username) for every allocation, as a client
    // calling GET /ice-servers again and again would get
    for (let i = 0; i < USER_QUOTA + 2; i++)
      statuses.push((await allocated(production, '192.0.2.44', base + i * 1000)).status);
    expect(statuses).toEqual([...Array(USER_QUOTA).fill(200), 486, 486]); // Allocation Quota Reached
    // another address's credentials still allocate: the quota is per address, not a total
    expect((await allocated(production, '192.0.2.45')).status).toBe(200);
  });

  it('counts the quota per label: random labels, as every answer had before, each had their own', async () => {
    // why the relay binds labels to addresses; its own link still uses random ones (it is
    // trusted, and bounded by total-quota)
    const turn = production;
    const statuses = [];
    for (let i = 0; i < USER_QUOTA + 1; i++) {
      const client = await TurnTestClient.open('127.0.0.1', turn.port);
      clients.push(client);
      const c = turnCredentials(turn.secret, `random${i}`, Math.floor(Date.now() / 1000) + 600);
      statuses.push(await client.allocate(c.username, c.credential));
    }
    expect(statuses).toEqual(Array(USER_QUOTA + 1).fill(200));
  });

  it('read every denied range (coturn skips a range it cannot parse, with a log line only)', () => {
    const log = production.log().join('\n');
    expect(log).toMatch(/Black listing: fc00::-fdff/);
    expect(log).not.toMatch(/Wrong address|Bad configuration|unknown option|unrecognized/i);
  });
});

describe('the development TURN configuration (npm start on 127.0.0.1)', () => {
  it('relays between loopback peers, and nowhere private', async () => {
    const { client, status } = await allocated(development);
    expect(status).toBe(200);
    expect(await client.createPermission('127.0.0.1')).toBe(200);
    expect(await client.createPermission('10.77.0.1')).toBe(403);
    expect(await client.createPermission('169.254.169.254')).toBe(403);
  });
});
