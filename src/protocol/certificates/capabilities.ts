import { DiscoError } from '../errors/index.js';
import { globCovers, globMatches, parseGlob, type Glob } from './glob.js';
import { CAPABILITY_LIMITS } from './limits.js';

/**
 * Actions are a small fixed vocabulary (the seed had `read` and `create`); `*` means all of them,
 * present and future. An unknown action is refused at parse time rather than ignored, so a
 * document never grants something the verifier does not understand.
 */
export const ACTIONS = ['read', 'create', 'update', 'delete', '*'] as const;
export type Action = (typeof ACTIONS)[number];

/** One grant: a resource glob and the actions allowed on what it matches (wire: `{res, act}`). */
export interface Capability {
  readonly resource: string;
  readonly actions: readonly Action[];
}

/** A capability with its glob parsed once. */
interface Parsed {
  readonly glob: Glob;
  readonly actions: readonly Action[];
}

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `capability: ${why}`);

/**
 * Reads the wire list `[{res, act: [..]}, ..]`: 1 to 16 entries, each a valid glob and 1 to 8
 * distinct known actions. Anything else is refused.
 */
export function parseCapabilities(value: unknown): Capability[] {
  if (!Array.isArray(value) || value.length === 0) throw malformed('cap: a non-empty list');
  if (value.length > CAPABILITY_LIMITS.maxCapabilities) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'capability: too many capabilities');
  }
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw malformed('cap entry: a map');
    }
    const { res, act, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw malformed('cap entry: only res and act');
    parseGlob(res);
    if (res === '') throw malformed('cap entry: an empty glob grants nothing');
    if (!Array.isArray(act) || act.length === 0 || act.length > CAPABILITY_LIMITS.maxActions) {
      throw malformed('cap entry: 1 to 8 actions');
    }
    for (const a of act) {
      if (!(ACTIONS as readonly unknown[]).includes(a)) throw malformed('unknown action');
    }
    if (new Set(act).size !== act.length) throw malformed('repeated action');
    return { resource: res as string, actions: act as Action[] };
  });
}

/** The wire form of a capability list. */
export const capabilitiesToWire = (caps: readonly Capability[]) =>
  caps.map((c) => ({ res: c.resource, act: [...c.actions] }));

const parsed = (caps: readonly Capability[]): Parsed[] =>
  caps.map((c) => ({ glob: parseGlob(c.resource), actions: c.actions }));

const allows = (actions: readonly Action[], action: string) =>
  actions.includes('*') || actions.includes(action as Action);

/**
 * Deny by default: true only when one entry's glob matches `resource` and the same entry lists
 * `action` (or `*`). Throws the precise code so a verifier can say which part failed.
 */
export function assertCovered(caps: readonly Capability[], resource: string, action: string) {
  const matching = parsed(caps).filter((c) => globMatches(c.glob, resource));
  if (matching.length === 0) {
    throw new DiscoError('ERR_CAP_RESOURCE_NOT_COVERED', 'no capability matches the resource');
  }
  if (!matching.some((c) => allows(c.actions, action))) {
    throw new DiscoError('ERR_CAP_ACTION_NOT_GRANTED', 'the action is not granted');
  }
}

/**
 * Attenuation (UCAN 1.0 delegation: "each link must restate or attenuate"): every child entry
 * must sit inside one parent entry — its glob's language within the parent's, its actions within
 * the parent's (`*` only under `*`).
 */
export function isAttenuation(parent: readonly Capability[], child: readonly Capability[]) {
  const p = parsed(parent);
  return parsed(child).every((c) =>
    p.some(
      (q) =>
        globCovers(q.glob, c.glob) &&
        c.actions.every((a) => q.actions.includes('*') || (a !== '*' && q.actions.includes(a))),
    ),
  );
}
