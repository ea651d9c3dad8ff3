import { describe, expect, it } from 'vitest';
import { validateEntry, assertEntry } from './validate_entry.js';
import { isDiscoError } from '../errors/index.js';

const now = Date.UTC(2026, 10, 23);
const v = (input: unknown) => validateEntry(input, { now });

describe('vault validation', () => {
  it('accepts and trims good values', () => {
    expect(v({ kind: 'name', value: '  Ada Lovelace ' })).toEqual({
      ok: true,
      entry: { kind: 'name', value: 'Ada Lovelace', updatedAt: now },
    });
    expect(v({ kind: 'email', value: 'ada@example.org' }).ok).toBe(true);
    expect(v({ kind: 'phone_number', value: '+44 20 7946 0958' }).ok).toBe(true);
    expect(v({ kind: 'birthdate', value: '1815-12-10' }).ok).toBe(false);
    expect(v({ kind: 'birthdate', value: '1990-02-28' }).ok).toBe(true);
    expect(
      v({
        kind: 'address',
        value: {
          street_address: '1 Main St',
          locality: 'Springfield',
          country: 'US',
          postal_code: '',
          region: ' ',
        },
      }),
    ).toEqual({
      ok: true,
      entry: {
        kind: 'address',
        value: { street_address: '1 Main St', locality: 'Springfield', country: 'US' },
        updatedAt: now,
      },
    });
    expect(v({ kind: 'custom', id: 'abc-1', label: 'Loyalty card', value: '1234' }).ok).toBe(true);
  });

  it.each([
    [{ kind: 'email', value: 'no-at-sign' }, 'value'],
    [{ kind: 'email', value: 'a@b' }, 'value'],
    [{ kind: 'phone_number', value: '12' }, 'value'],
    [{ kind: 'phone_number', value: 'call me' }, 'value'],
    [{ kind: 'birthdate', value: '1990-02-30' }, 'value'],
    [{ kind: 'birthdate', value: '2027-01-01' }, 'value'],
    [{ kind: 'birthdate', value: '23/04/1990' }, 'value'],
    [{ kind: 'name', value: '   ' }, 'value'],
    [{ kind: 'name', value: 'x'.repeat(201) }, 'value'],
    [{ kind: 'address', value: { locality: 'X', country: 'Y' } }, 'street_address'],
    [
      {
        kind: 'address',
        value: { street_address: 'a', locality: 'X', country: 'Y', postal_code: '!!' },
      },
      'postal_code',
    ],
    [{ kind: 'address', value: null }, 'street_address'],
    [{ kind: 'custom', id: 'a', label: '', value: 'v' }, 'label'],
    [{ kind: 'custom', id: '../../x', label: 'l', value: 'v' }, 'id'],
    [{ kind: 'custom', id: 'a', label: 'l', value: 'v'.repeat(2001) }, 'value'],
    [{ kind: 'password', value: 'x' }, 'kind'],
    [null, 'kind'],
    ['name', 'kind'],
  ])('refuses %j with a message on %s', (input, field) => {
    const result = v(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[field]).toMatch(/\w/);
  });

  it('assertEntry throws ERR_VAULT_INVALID', () => {
    expect(() => assertEntry({ kind: 'email', value: 'x' }, { now })).toThrow(
      expect.objectContaining({ code: 'ERR_VAULT_INVALID' }),
    );
    try {
      assertEntry({ kind: 'email', value: 'x' }, { now });
    } catch (e) {
      expect(isDiscoError(e, 'ERR_VAULT_INVALID')).toBe(true);
    }
  });
});
