import { DiscoError } from '../../errors/index.js';
import { Principal } from '../principal/index.js';

/** One delegation (interface spec §Authentication): the key it delegates to, until when, where. */
export interface Delegation {
  /** DER public key of the delegate. */
  readonly pubkey: Uint8Array;
  /** Nanoseconds since the epoch. */
  readonly expiration: bigint;
  /** Canisters the delegation is limited to; absent means all. */
  readonly targets?: readonly Principal[];
}

export interface SignedDelegation {
  readonly delegation: Delegation;
  readonly signature: Uint8Array;
}

/** The JSON form agent-js writes (`DelegationChain.toJSON`): all blobs and nats as hex. */
export interface DelegationChainJson {
  delegations: Array<{
    delegation: { expiration: string; pubkey: string; targets?: string[] };
    signature: string;
  }>;
  publicKey: string;
}

/** The largest chain JSON read: 20 links with up to 1000 targets each fit well under it. */
const MAX_CHAIN_JSON = 1024 * 1024;

const malformed = (why: string, cause?: unknown) =>
  new DiscoError('ERR_IC_DELEGATION_MALFORMED', `delegation chain: ${why}`, { cause });

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(text: unknown, what: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw malformed(`${what} is not hex`);
  }
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A chain of signed delegations from `publicKey` (the root, whose self-authenticating principal
 * is the sender) to the session key in the last link. Built by `createDelegation`, checked by
 * `verifyDelegationChain`; this class only holds and (de)serializes it.
 */
export class DelegationChain {
  private constructor(
    readonly delegations: readonly SignedDelegation[],
    readonly publicKey: Uint8Array,
  ) {}

  /** From the parts the identity provider returns (`authorize-client-success`). */
  static fromDelegations(
    delegations: readonly SignedDelegation[],
    publicKey: Uint8Array,
  ): DelegationChain {
    return new DelegationChain([...delegations], Uint8Array.from(publicKey));
  }

  /** Parses agent-js's JSON form (a string or the parsed object); any deviation is refused. */
  static fromJSON(json: string | DelegationChainJson): DelegationChain {
    let value: unknown = json;
    if (typeof json === 'string') {
      // 20 links of a few hundred bytes each, with targets: far below this; capped before parsing.
      if (json.length > MAX_CHAIN_JSON) {
        throw new DiscoError('ERR_TOO_LARGE', 'delegation chain: the JSON is too large');
      }
      try {
        value = JSON.parse(json);
      } catch (cause) {
        throw malformed('not JSON', cause);
      }
    }
    if (!isObject(value) || !Array.isArray(value.delegations)) throw malformed('no delegations');
    if (value.delegations.length > 20) {
      throw new DiscoError('ERR_IC_DELEGATION_TOO_LONG', 'delegation chain: more than 20 links');
    }
    const delegations = value.delegations.map((link: unknown): SignedDelegation => {
      if (!isObject(link) || !isObject(link.delegation)) throw malformed('bad link');
      const { expiration, pubkey, targets } = link.delegation;
      if (typeof expiration !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(expiration)) {
        throw malformed('expiration is not a 64-bit hex nat');
      }
      if (targets !== undefined && (!Array.isArray(targets) || targets.length > 1000)) {
        throw malformed('targets is not a list of at most 1000');
      }
      let principals: Principal[] | undefined;
      try {
        principals = targets?.map((t: unknown) => Principal.fromUint8Array(fromHex(t, 'target')));
      } catch (cause) {
        throw malformed('bad target', cause);
      }
      return {
        delegation: {
          pubkey: fromHex(pubkey, 'pubkey'),
          expiration: BigInt(`0x${expiration}`),
          ...(principals ? { targets: principals } : {}),
        },
        signature: fromHex(link.signature, 'signature'),
      };
    });
    return new DelegationChain(delegations, fromHex(value.publicKey, 'publicKey'));
  }

  /** agent-js's JSON form, so chains stored by either side read back in the other. */
  toJSON(): DelegationChainJson {
    return {
      delegations: this.delegations.map(({ delegation, signature }) => ({
        delegation: {
          expiration: delegation.expiration.toString(16),
          pubkey: toHex(delegation.pubkey),
          ...(delegation.targets
            ? { targets: delegation.targets.map((t) => toHex(t.toUint8Array())) }
            : {}),
        },
        signature: toHex(signature),
      })),
      publicKey: toHex(this.publicKey),
    };
  }

  /** The delegation list as it goes on the wire in `sender_delegation` (CBOR-ready). */
  toSenderDelegation(): Array<{
    delegation: { pubkey: Uint8Array; expiration: bigint; targets?: Principal[] };
    signature: Uint8Array;
  }> {
    return this.delegations.map(({ delegation, signature }) => ({
      delegation: {
        pubkey: delegation.pubkey,
        expiration: delegation.expiration,
        ...(delegation.targets ? { targets: [...delegation.targets] } : {}),
      },
      signature,
    }));
  }
}
