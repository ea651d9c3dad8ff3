import { describe, expect, it } from 'vitest';
import {
  OfflineQueueBudget,
  QUEUE_CLEANUP_MS,
  QUEUE_EXPIRE_MS,
  SpentTokens,
  WindowCounter,
} from './signal_budget.js';

const clock = () => {
  let now = 1_800_000_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describe('OfflineQueueBudget (issue #12.11)', () => {
  it('bounds messages per offline id, bytes per address and bytes overall', () => {
    const c = clock();
    const budget = new OfflineQueueBudget(
      { perDestination: 2, bytesPerAddress: 100, bytes: 150 },
      c.now,
    );
    expect(budget.take('a', '1.1.1.1', 10)).toBe(true);
    expect(budget.take('a', '1.1.1.1', 10)).toBe(true);
    expect(budget.take('a', '2.2.2.2', 10)).toBe(false); // third for one id
    expect(budget.take('b', '1.1.1.1', 81)).toBe(false); // 101 from one address
    expect(budget.take('b', '1.1.1.1', 80)).toBe(true);
    expect(budget.take('c', '2.2.2.2', 60)).toBe(false); // 160 on the relay
    expect(budget.take('c', '2.2.2.2', 50)).toBe(true);
    expect(budget.bytes).toBe(150);
  });

  it('gives the budget back when the id connects, or once npm peer has dropped the queue', () => {
    const c = clock();
    const budget = new OfflineQueueBudget(
      { perDestination: 1, bytesPerAddress: 100, bytes: 100 },
      c.now,
    );
    expect(budget.take('a', 'x', 100)).toBe(true);
    expect(budget.take('b', 'x', 1)).toBe(false);
    budget.delivered('a');
    expect(budget.bytes).toBe(0);
    expect(budget.take('b', 'x', 100)).toBe(true);
    c.advance(QUEUE_EXPIRE_MS + QUEUE_CLEANUP_MS - 1);
    expect(budget.take('c', 'x', 1)).toBe(false);
    c.advance(QUEUE_CLEANUP_MS); // swept once a cleanup period, like npm peer's own queues
    expect(budget.take('c', 'x', 1)).toBe(true);
    expect(budget.bytes).toBe(1);
  });
});

describe('WindowCounter', () => {
  it('allows `limit` hits per key and window', () => {
    const c = clock();
    const counter = new WindowCounter(2, 1000, c.now);
    expect([counter.hit('k'), counter.hit('k'), counter.hit('k'), counter.hit('j')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    c.advance(1000);
    expect(counter.hit('k')).toBe(true);
  });
});

describe('SpentTokens (issue #12.13)', () => {
  it('lets a token in once, and none made before the relay started (less the skew)', () => {
    const c = clock();
    const spent = new SpentTokens(c.now(), 600_000, 60_000);
    expect(spent.spend('t1', c.now(), c.now())).toBe(true);
    expect(spent.spend('t1', c.now(), c.now() + 1000)).toBe(false);
    expect(spent.spend('t2', c.now() - 60_000, c.now())).toBe(true);
    expect(spent.spend('t3', c.now() - 61_000, c.now())).toBe(false);
    // still refused near the end of its life, forgotten only after it could not verify anyway
    expect(spent.spend('t1', c.now(), c.now() + 659_000)).toBe(false);
  });
});
