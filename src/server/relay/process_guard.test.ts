import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { captureLogger } from './log.js';
import { guardProcess } from './process_guard.js';

describe('guardProcess (issue #12.9)', () => {
  it('logs an uncaught exception and an unhandled rejection by name and place, never the message', () => {
    const target = new EventEmitter();
    const logger = captureLogger();
    const remove = guardProcess(logger, target);
    const secret = 'token=eyJhbGciOi-secret';
    target.emit('uncaughtException', new TypeError(`Cannot read properties of null ${secret}`));
    target.emit('unhandledRejection', 'a string reason');
    expect(logger.entries.map((e) => [e.level, e.event, e.fields.error])).toEqual([
      ['error', 'process.uncaught_exception', 'TypeError'],
      ['error', 'process.unhandled_rejection', 'string'],
    ]);
    expect(String(logger.entries[0]!.fields.at)).toContain('process_guard.test.ts');
    expect(JSON.stringify(logger.entries)).not.toContain('secret');
    remove();
    expect(target.listenerCount('uncaughtException')).toBe(0);
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });
});
