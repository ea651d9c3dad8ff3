import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoturn, type LocalTurnServer } from './coturn.js';

// A real data channel between two node-datachannel connections (the relay's and the SDK's WebRTC
// in Node), through a real coturn, with the relay's REST-API credentials: what `npm start` does.
// The connections run in a child process (data_channel_probe.ts) with a deadline: a native call
// that blocks its thread fails this test by name instead of hanging the whole run.
let turn: LocalTurnServer;
beforeAll(async () => {
  turn = await startCoturn();
});
afterAll(() => turn?.close());

const PROBE = fileURLToPath(new URL('./data_channel_probe.ts', import.meta.url));

interface ProbeResult {
  results: string[];
  candidates: string[][];
}

/** `count` connections one after another, each given `timeoutMs` to carry one message. */
function probe(options: { secret: string; label?: string; count: number; timeoutMs: number }) {
  const deadline = options.count * (options.timeoutMs + 2000) + 10_000;
  return new Promise<ProbeResult>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', PROBE, JSON.stringify({ urls: turn.urls, ...options })],
      { timeout: deadline, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.killed ? `killed at its ${deadline} ms deadline (a hang)` : err.message;
          reject(new Error(`data channel probe: ${why}\n${stderr.slice(-2000)}`));
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ProbeResult);
      },
    );
  });
}

describe('data channels through the local TURN server', () => {
  it('open with the relay credentials, on relayed candidates only', async () => {
    const { results, candidates } = await probe({
      secret: turn.secret,
      label: 'test',
      count: 1,
      timeoutMs: 10_000,
    });
    expect(results).toEqual(['sealed envelope']);
    expect(candidates[0]!.length).toBeGreaterThan(0);
    for (const c of candidates[0]!) expect(c).toMatch(/ typ relay /);
  });

  it('do not open with credentials made from another secret', async () => {
    const { results, candidates } = await probe({
      secret: 'not-the-turn-secret',
      label: 'test',
      count: 1,
      timeoutMs: 3000,
    });
    expect(results).toEqual(['no message']);
    expect(candidates).toEqual([[]]);
  });

  it("keep opening, one after another, with the relay's new credentials per connection", async () => {
    // node-datachannel leaves its TURN allocations behind when a connection closes, and coturn
    // counts user-quota per label: with user-quota 32 and one shared username the 17th pair
    // failed (measured). New credentials for every connection, as the relay's link gets them,
    // do not run out. (Clients other than the relay get one label per address: turn.md.)
    const { results } = await probe({ secret: turn.secret, count: 20, timeoutMs: 5000 });
    expect(results).toEqual(Array(20).fill('sealed envelope'));
  }, 180_000);
});
