import { describe, expect, it } from 'vitest';
import { captureLogger, jsonLogger } from './log.js';

describe('relay logs', () => {
  it('writes one JSON object per line with time, level and event', () => {
    const lines: string[] = [];
    const logger = jsonLogger({ write: (l) => lines.push(l), now: () => 0 });
    logger.log('info', 'peer.connected', { peer_id: 'disco-1', device: true, none: undefined });
    logger.log('debug', 'dropped');
    expect(lines.map((l): unknown => JSON.parse(l))).toEqual([
      {
        time: '1970-01-01T00:00:00.000Z',
        level: 'info',
        event: 'peer.connected',
        peer_id: 'disco-1',
        device: true,
      },
    ]);
  });

  it('redacts secret-looking fields and cuts long strings', () => {
    const logger = captureLogger();
    logger.log('warn', 'oops', {
      wait_token: 'secret',
      challenge: 'c',
      body: 'b',
      certificatePem: 'p',
      uid: 'ABCD1234',
      authorization: 'Bearer x',
      long: 'x'.repeat(500),
    });
    const fields = logger.entries[0]!.fields;
    expect(JSON.stringify(fields)).not.toMatch(/secret|ABCD1234|Bearer/);
    expect(fields.wait_token).toBe('[redacted]');
    expect(String(fields.long).length).toBeLessThan(210);
  });
});
