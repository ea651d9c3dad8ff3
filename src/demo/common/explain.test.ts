import { describe, expect, it } from 'vitest';
import { DiscoError, type ErrorCode } from '../../sdk/index.js';
import { explain } from './explain.js';

const voice = { me: 'Demo Shop', reader: 'person' } as const;

describe('explain (the demo pages)', () => {
  it.each<ErrorCode>(['ERR_RATE_LIMITED', 'ERR_RELAY_BUSY', 'ERR_SLOW_DOWN'])(
    'says the relay is busy for %s, keeping the code',
    (code) => {
      const problem = explain(new DiscoError(code, 'raw detail'), 'pairing', voice);
      expect(problem).toEqual({
        code,
        message: 'The Disco relay is busy right now. Please wait a minute and try again.',
      });
    },
  );

  it('names the relay, the code and the detail for a pairing refusal it has no words for', () => {
    const problem = explain(
      new DiscoError('ERR_CALLBACK_REFUSED', 'callback refused: loopback address'),
      'pairing',
      voice,
    );
    expect(problem.message).toBe(
      'The Disco relay refused (ERR_CALLBACK_REFUSED): callback refused: loopback address',
    );
  });
});
