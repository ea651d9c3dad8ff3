import { DiscoError } from '../errors/index.js';
import { PAIRINGS, type PairingRecord } from '../pairing/pairing.js';
import type { AuthContext } from './context.js';

/**
 * The pairing challenge (docs/wire/relay.md, pairing): a company that paired through a relay got a challenge
 * sealed to its certificate key; its register request must carry it back, which shows it holds
 * that key and is the company the person paired with. Returns the pairing, if there was one.
 */
export async function provePairingChallenge(
  thumbprint: string,
  challenge: unknown,
  ctx: Pick<AuthContext, 'store'>,
): Promise<PairingRecord | undefined> {
  const pairing = await ctx.store.get<PairingRecord>(PAIRINGS, thumbprint);
  if (pairing && challenge !== pairing.challenge) {
    throw new DiscoError(
      'ERR_REQUEST_MALFORMED',
      'The pairing challenge does not match: this is not the company you paired with.',
    );
  }
  return pairing;
}

/** What the consent screen shows of the pairing: its code, and whether its QR code confirmed it. */
export const pairingOf = (p: PairingRecord): { uid: string; confirmedOutOfBand: boolean } => ({
  uid: p.uid,
  confirmedOutOfBand: p.confirmedOutOfBand,
});
