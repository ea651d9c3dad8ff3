import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { SessionStore } from './common/session.js';

function req(cookie?: string): Request {
  return { headers: cookie ? { cookie } : {}, secure: false } as unknown as Request;
}
function res() {
  const set: string[] = [];
  const r = {
    cookie: (name: string, value: string) => {
      set.push(`${name}=${value}`);
      return r;
    },
  };
  return { r: r as unknown as Response, set };
}

describe('SessionStore', () => {
  it('keeps the most recently used sessions, expires idle ones, and disposes what it drops', () => {
    let now = 0;
    const disposed: number[] = [];
    let n = 0;
    const store = new SessionStore(
      'sid',
      { max: 2, idleMs: 1000 },
      () => {
        const id = ++n;
        return { id, dispose: () => disposed.push(id) };
      },
      () => now,
    );
    const open = (cookie?: string) => {
      const out = res();
      const s = store.open(req(cookie), out.r);
      return { s, cookie: out.set[0] ?? cookie };
    };
    const a = open();
    const b = open();
    expect(a.cookie).toMatch(/^sid=[A-Za-z0-9_-]{43}$/);
    expect(store.find(req(`x=1; ${a.cookie!}`))).toBe(a.s); // a is now the most recent
    open(); // c: b is the least recently used
    expect(disposed).toEqual([2]);
    expect(store.find(req(b.cookie))).toBeUndefined();
    expect(store.find(req('sid=' + 'A'.repeat(43)))).toBeUndefined();
    now = 5000;
    expect(store.find(req(a.cookie))).toBeUndefined();
    expect(disposed).toContain(1);
    store.close();
    expect(disposed.sort()).toEqual([1, 2, 3]);
  });
});
