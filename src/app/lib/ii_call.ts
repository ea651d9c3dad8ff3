import { DiscoError } from '../../protocol/errors/index.js';
import { loadDevice } from '../../protocol/identity/index.js';
import type { Store } from '../../protocol/storage/index.js';
import { II_SESSION, type StoredSession } from './ii_session.js';

/**
 * A signed update call from the person's Internet Identity principal, through this device: the
 * stored delegation chain as `sender_delegation`, the device's Ed25519 key signing (it never
 * leaves WebCrypto). The reply is returned only once its certificate verified (`call` in
 * src/protocol/ic checks the BLS signature, the delegation and `/time`).
 */

/** Where the IC is reached and what it is trusted under; from `/app-config.json`. */
export interface IcConfig {
  /** A boundary node, e.g. https://icp-api.io. */
  readonly host: string;
  /**
   * DER BLS root key for a test or local network; absent means the IC mainnet key. It comes
   * with the app's own files, so it is trusted no more than the app's code already is.
   */
  readonly rootKey?: Uint8Array;
  /**
   * The subnet a certificate without a delegation speaks for (a network of one subnet, such as a
   * local replica); mainnet certificates name their subnet.
   */
  readonly rootSubnetId?: string;
}

export const DEFAULT_IC_HOST = 'https://icp-api.io';

/**
 * `/app-config.json` `icHost`, `icRootKey` (hex DER) and `icRootSubnetId`, if the deployment sets
 * them.
 */
export async function icConfig(): Promise<IcConfig> {
  try {
    const res = await fetch('/app-config.json', { cache: 'no-store' });
    const cfg = (await res.json()) as {
      icHost?: unknown;
      icRootKey?: unknown;
      icRootSubnetId?: unknown;
    };
    const host = typeof cfg.icHost === 'string' ? new URL(cfg.icHost).origin : DEFAULT_IC_HOST;
    const key = typeof cfg.icRootKey === 'string' ? cfg.icRootKey : '';
    const pairs = /^([0-9a-f]{2})*$/.test(key) ? (key.match(/../g) ?? []) : [];
    return {
      host,
      ...(pairs.length ? { rootKey: Uint8Array.from(pairs, (b) => parseInt(b, 16)) } : {}),
      ...(typeof cfg.icRootSubnetId === 'string' ? { rootSubnetId: cfg.icRootSubnetId } : {}),
    };
  } catch {
    return { host: DEFAULT_IC_HOST };
  }
}

export interface CallInput {
  readonly canisterId: string;
  readonly method: string;
  /** Candid-encoded arguments. */
  readonly arg: Uint8Array;
}

/**
 * A signed request from the signed-in principal: `kind` `call` (an update call, its reply
 * certified) or `query` (its reply signed by a node whose key a verified `/subnet` certificate
 * gives). Every failure is a DiscoError.
 */
export async function requestAsPrincipal(
  store: Store,
  kind: 'call' | 'query',
  input: CallInput,
  opts: IcConfig & { sessionKey: Uint8Array },
): Promise<Uint8Array> {
  const ic = await import('../../protocol/ic/index.js');
  const record = await store.get<StoredSession>(II_SESSION.collection, II_SESSION.key);
  const device = await loadDevice(store);
  if (!record || !device) {
    throw new DiscoError('ERR_INVALID_INPUT', 'Sign in with Internet Identity first.');
  }
  if (!/^[\w-]{1,100}$/.test(input.method)) {
    throw new DiscoError('ERR_INVALID_INPUT', 'The method name is not valid.');
  }
  const chain = ic.DelegationChain.fromJSON(record.chain);
  const canisterId = ic.Principal.fromText(input.canisterId.trim());
  // Refuses an expired chain, or one whose targets leave this canister out, before signing.
  await ic.verifyDelegationChain(chain, {
    now: Date.now(),
    sessionKey: opts.sessionKey,
    target: canisterId,
  });
  const signing = device.keys.signing;
  const context = {
    fetch: (url: string, init: RequestInit) => fetch(url, init),
    host: opts.host,
    identity: ic.delegationIdentity(chain, {
      publicKeyDer: opts.sessionKey,
      sign: async (payload) =>
        new Uint8Array(await crypto.subtle.sign('Ed25519', signing, payload as BufferSource)),
    }),
    now: () => Date.now(),
    ...(opts.rootKey ? { rootKey: opts.rootKey } : {}),
  };
  const request = { canisterId, methodName: input.method, arg: input.arg };
  if (kind === 'call') return ic.call(context, request);
  const rootSubnet = opts.rootSubnetId ? ic.Principal.fromText(opts.rootSubnetId) : undefined;
  const nodeKeys = await ic.readSubnetNodeKeys(context, canisterId, rootSubnet);
  return ic.query(context, { ...request, nodeKeys });
}

const CANDID_TEXT = [0x44, 0x49, 0x44, 0x4c, 0, 1, 0x71];

/** The text of a reply that is one Candid `text` (the common case), or undefined. */
export function candidTextOf(reply: Uint8Array): string | undefined {
  if (!CANDID_TEXT.every((b, i) => reply[i] === b)) return undefined;
  let length = 0;
  let shift = 0;
  let i = CANDID_TEXT.length;
  for (; i < reply.length && shift < 35; i++, shift += 7) {
    length += (reply[i]! & 0x7f) * 2 ** shift;
    if (reply[i]! < 0x80) break;
  }
  const start = i + 1;
  if (start + length !== reply.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(reply.subarray(start));
  } catch {
    return undefined;
  }
}
