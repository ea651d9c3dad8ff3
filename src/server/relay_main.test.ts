import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { makeDevice } from './relay/testing.js';

function run(
  args: string[],
): Promise<{ out: string; kill: () => void; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    // tsx as a loader in this one process, not its CLI: the CLI relays SIGTERM to a child and
    // SIGKILLs it (exit 143) when the child does not confirm within 30 ms, which a loaded
    // machine misses now and then
    ['--import', 'tsx', resolve('src/server/relay_main.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no answer:\n${out}`)), 20_000);
    const seen = () => {
      if (/listening on|must be|Usage/.test(out)) {
        clearTimeout(t);
        ok({ out, kill: () => child.kill('SIGTERM'), exited });
      }
    };
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), seen()));
    child.stderr.on('data', (d: Buffer) => ((out += d.toString()), seen()));
  });
}

describe('npm run relay', () => {
  it('starts from flags, answers /healthz, and stops on SIGTERM', async () => {
    const r = await run(['--host', '127.0.0.1', '--port', '0']);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out)?.[1];
    expect(url).toBeDefined();
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    r.kill();
    expect(await r.exited).toBe(0);
  });

  it('refuses a bad port with a clear message', async () => {
    const r = await run(['--port', 'eighty']);
    expect(r.out).toContain('--port must be a port number');
    expect(await r.exited).toBe(2);
  });
});

describe('npm run relay, attacked through its own signalling (issue #12.9)', () => {
  it('survives hostile messages addressed to its own peer, and keeps serving', async () => {
    const r = await run(['--host', '127.0.0.1', '--port', '0']);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out)?.[1];
    expect(url).toBeDefined();
    let exitCode: number | null | undefined;
    void r.exited.then((code) => (exitCode = code));
    try {
      // a throwaway device of the attacker's own, with its own key and token
      const throwaway = await makeDevice();
      const token = await throwaway.token(Date.now());
      const socket = new WebSocket(
        `${url!.replace('http', 'ws')}/peerjs/peerjs?key=peerjs&id=${throwaway.peerId}&token=${encodeURIComponent(token)}`,
      );
      const messages: { type?: string; src?: string }[] = [];
      socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as never));
      await vi.waitFor(() => expect(messages[0]?.type).toBe('OPEN'));
      // the relay's peer introduces itself as the `src` of the OFFER it sends to that device
      const asked = fetch(`${url}/p/${throwaway.peerId}/disco/x`).then((res) => res.status);
      await vi.waitFor(() => expect(messages.some((m) => m.type === 'OFFER')).toBe(true), {
        timeout: 10_000,
      });
      const relayPeer = messages.find((m) => m.type === 'OFFER')!.src!;
      const hostile: unknown[] = [
        { type: 'OFFER', dst: relayPeer, payload: null },
        {
          type: 'OFFER',
          dst: relayPeer,
          payload: { type: 'data', connectionId: 'dc_x', serialization: 'nope' },
        },
        {
          type: 'OFFER',
          dst: relayPeer,
          payload: { type: 'data', connectionId: 'dc_y', serialization: '__proto__' },
        },
        { type: 'ANSWER', dst: relayPeer, payload: null },
        { type: 'CANDIDATE', dst: relayPeer, payload: { connectionId: 'dc_z', candidate: null } },
        { type: 'EXPIRE', dst: relayPeer },
      ];
      for (const message of hostile) socket.send(JSON.stringify(message));
      socket.send('null');
      expect([502, 503, 504]).toContain(await asked);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(exitCode).toBeUndefined();
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      socket.close();
    } finally {
      r.kill();
    }
  }, 30_000);
});
