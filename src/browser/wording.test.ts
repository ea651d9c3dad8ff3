import { describe, expect, it } from 'vitest';
import {
  asks,
  capabilityPhrase,
  keyAPhrase,
  PARTNER_BADGE,
  partnerLabel,
  partnerName,
} from './wording.js';

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

  it('words capabilities in plain words, and shows any glob it cannot read plainly as it is', () => {
    expect(asks('capability', '')).toBe('asks for a certificate to act for you');
    expect(capabilityPhrase(['create'], 'https://notes.example/notes/*')).toBe(
      'may create anything under https://notes.example/notes/',
    );
    expect(capabilityPhrase(['read', 'update'], 'https://notes.example/notes/main')).toBe(
      'may read and change https://notes.example/notes/main',
    );
    expect(capabilityPhrase(['*'], '*')).toBe('may read, create, change and delete anything');
    // an escaped star is a literal one
    expect(capabilityPhrase(['read'], 'https://x.example/a\\*')).toBe(
      'may read https://x.example/a*',
    );
    expect(capabilityPhrase(['delete'], 'https://x.example/*/notes/*')).toBe(
      'may delete anything matching https://x.example/*/notes/* (each * stands for any text)',
    );
  });

  it("names a key B's partner by its registered name, else by the asker's word for it, else its id", () => {
    const id = { clientId: 'courier' };
    const stated = { ...id, statedName: 'Demo Courier' };
    const registered = { ...stated, clientName: 'Courier Ltd' };
    expect(partnerLabel(stated, 'Demo Shop')).toBe('Demo Courier — named by Demo Shop');
    expect(partnerName(stated)).toBe('Demo Courier');
    // a registered partner's own name wins over what the asker says
    expect(partnerLabel(registered, 'Demo Shop')).toBe('Courier Ltd');
    expect(partnerName(registered)).toBe('Courier Ltd');
    expect([partnerLabel(id, 'Demo Shop'), partnerName(id)]).toEqual(['courier', 'courier']);
    expect(asks('key_b', 'Postal address', partnerLabel(stated, 'Demo Shop'))).toBe(
      'asks to pass your Postal address to Demo Courier — named by Demo Shop, once',
    );
  });

  it('has a partner badge that cannot be read as a verification', () => {
    expect(PARTNER_BADGE).not.toMatch(/trusted|verified|certified/i);
    expect(PARTNER_BADGE).toMatch(/own claim/);
  });
});
