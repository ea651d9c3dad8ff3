import { describe, expect, it } from 'vitest';
import { asks, keyAPhrase, PARTNER_BADGE } from './wording.js';

describe('one wording for each kind of request', () => {
  it('words key A the same way everywhere, and names the partner of a key B', () => {
    expect(asks('key_a', 'Postal address')).toBe(
      `asks permission to ${keyAPhrase('Postal address')}`,
    );
    expect(keyAPhrase('Postal address')).toBe(
      'pass your Postal address to partner companies later',
    );
    expect(asks('key_b', 'Postal address', 'Demo Courier')).toBe(
      'asks to pass your Postal address to Demo Courier, once',
    );
    expect(asks('register', '')).toBe('wants to connect to your device');
    expect(asks('data', 'Email')).toBe('asks for your Email');
  });

  it('has a partner badge that cannot be read as a verification', () => {
    expect(PARTNER_BADGE).not.toMatch(/trusted|verified|certified/i);
    expect(PARTNER_BADGE).toMatch(/own claim/);
  });
});
