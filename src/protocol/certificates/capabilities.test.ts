import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  assertCovered,
  isAttenuation,
  parseCapabilities,
  type Action,
  type Capability,
} from './capabilities.js';
import { isDiscoError } from '../errors/index.js';

const covered = (caps: Capability[], resource: string, action: string) => {
  try {
    assertCovered(caps, resource, action);
    return true;
  } catch (err) {
    if (!isDiscoError(err)) throw err;
    return false;
  }
};

const glob = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*'), minLength: 1, maxLength: 5 });
const actions = fc.uniqueArray(fc.constantFrom<Action>(...ACTIONS), { minLength: 1, maxLength: 3 });
const caps = fc.array(fc.record({ resource: glob, actions }), { minLength: 1, maxLength: 3 });

describe('capability lists', () => {
  it('deny by default: nothing matches, nothing is granted', () => {
    const list = parseCapabilities([{ res: 'notes/*', act: ['create'] }]);
    expect(covered(list, 'notes/a', 'create')).toBe(true);
    expect(covered(list, 'notes/a', 'read')).toBe(false);
    expect(covered(list, 'photos/a', 'create')).toBe(false);
    expect(covered(parseCapabilities([{ res: '*', act: ['*'] }]), 'anything', 'delete')).toBe(true);
  });

  it('an attenuation never grants what its parent does not (property)', () => {
    const concrete = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*'), maxLength: 6 });
    const action = fc.constantFrom('read', 'create', 'update', 'delete');
    fc.assert(
      fc.property(caps, caps, concrete, action, (parent, child, resource, act) => {
        if (!isAttenuation(parent, child)) return;
        if (covered(child, resource, act)) expect(covered(parent, resource, act)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('is reflexive: a list restates itself', () => {
    fc.assert(
      fc.property(caps, (list) => isAttenuation(list, list)),
      { numRuns: 500 },
    );
  });
});
