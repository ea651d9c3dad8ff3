import { isDiscoError } from '../../sdk/index.js';
import { ApiError, type Logger } from './http.js';

/** What went wrong, for the page: a stable code and a sentence in plain words. */
export interface Problem {
  code: string;
  message: string;
}

/** Which step failed: the same code means different things at different steps. */
export type Step = 'pairing' | 'register' | 'key_a' | 'key_b' | 'handoff' | 'data';

/**
 * Who reads it: the person on the shop's page ("you"), or the courier's staff about a customer.
 * `me` is the company's name as the device shows it.
 */
export interface Voice {
  me: string;
  reader: 'person' | 'staff';
}

const MAX_DETAIL = 200;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_DETAIL ? `${one.slice(0, MAX_DETAIL - 1)}…` : one;
}

/**
 * Turns an SDK error (DiscoError codes, docs/errors.md) or a demo error into words a person
 * understands. The device's own message (which came through the relay) is shown only as a detail
 * of codes that have no wording here; pages render it as text, never as HTML.
 */
export function explain(err: unknown, step: Step, voice: Voice, log?: Logger): Problem {
  const { me } = voice;
  const staff = voice.reader === 'staff';
  const you = staff ? 'The customer' : 'You';
  const your = staff ? "The customer's" : 'Your';
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (!isDiscoError(err)) {
    log?.error(
      `${me}: unexpected error at ${step}: ${err instanceof Error ? `${err.name}: ${err.message}` : 'unknown'}`,
    );
    return { code: 'ERR_INTERNAL', message: `Something went wrong at ${me}. Please try again.` };
  }
  const code = err.code;
  const say = (message: string): Problem => ({ code, message });
  switch (code) {
    case 'ERR_ACCESS_DENIED':
      switch (step) {
        case 'register':
          return say(`${you} refused to connect ${me} on the Disco device. Nothing was shared.`);
        case 'key_a':
          return say(`${you} refused to let ${me} ask for the address. Nothing was shared.`);
        case 'key_b':
          return say(
            `${you} refused to let ${me} share the address with the courier. Nothing was shared.`,
          );
        case 'data':
          return say(`${you} refused to share the address with ${me}.`);
        default:
          return say(`${you} refused on the Disco device. Nothing was shared.`);
      }
    case 'ERR_TIMEOUT':
      return step === 'pairing'
        ? say('Nobody entered the code in time. Click “Connect with Disco” for a new code.')
        : say(`${your} Disco device did not answer in time. Please try again.`);
    case 'ERR_CONSENT_EXPIRED':
      return say(
        `The request waited too long for an answer on ${staff ? "the customer's" : 'your'} Disco device and expired. Please try again.`,
      );
    case 'ERR_DEVICE_UNREACHABLE':
      return say(
        staff
          ? "The customer's Disco device is offline: it must be open and connected to the relay."
          : 'Your device is offline. Open the Disco app on it, check that it is connected to the relay, then try again.',
      );
    case 'ERR_TRANSPORT_FAILED':
      return step === 'pairing'
        ? say('The Disco relay cannot be reached right now. Please try again in a moment.')
        : say(
            `${your} Disco device cannot be reached through the relay right now. Please try again in a moment.`,
          );
    case 'ERR_RESPONSE_UNTRUSTED':
      return say(
        `The answer from ${staff ? "the customer's" : 'your'} device could not be verified, so ${me} stopped. Nothing was used.`,
      );
    case 'ERR_CLIENT_UNKNOWN':
    case 'ERR_CLIENT_REVOKED':
      return say(
        `${your} Disco device no longer knows ${me}: it was removed there. ${staff ? '' : 'Connect again.'}`.trim(),
      );
    case 'ERR_GRANT_REVOKED':
      return say(
        staff
          ? `The customer withdrew the permission this delivery relied on.`
          : `You withdrew ${me}'s permission on your device. Connect again to give it anew.`,
      );
    case 'ERR_CLIENT_SECRET':
    case 'ERR_REQUEST_SIGNATURE':
      return say(
        `${your} Disco device knows a different ${me} (its key changed). Remove ${me} under Connections on the device, then ${staff ? 'send the delivery again' : 'connect again'}.`,
      );
    case 'ERR_KEY_B_USED':
      return say('This permission was used already. Ship the order again for a new one.');
    case 'ERR_JWT_EXPIRED':
      return say('The permission expired before it was used. Ship the order again for a new one.');
    case 'ERR_JWT_MALFORMED':
    case 'ERR_JWT_ALG_NOT_ALLOWED':
    case 'ERR_JWT_SIGNATURE_INVALID':
    case 'ERR_JWT_NOT_YET_VALID':
    case 'ERR_JWT_CLAIM_INVALID':
      return say(
        `This permission (key B) was not issued for ${me} by ${staff ? "the customer's" : 'your'} Disco device, so ${me} did not use it.`,
      );
    case 'ERR_SLOW_DOWN':
    case 'ERR_RATE_LIMITED':
    case 'ERR_RELAY_BUSY':
      return say('The Disco relay is busy right now. Please wait a minute and try again.');
    case 'ERR_ABORTED':
      return say('Cancelled.');
    default:
      if (code.startsWith('ERR_CERT_'))
        return say(
          step === 'pairing'
            ? `The Disco relay did not accept ${me}'s certificate (${code}).`
            : `${your} Disco device did not accept ${me}'s certificate.`,
        );
      if (step === 'pairing') return say(`The Disco relay refused (${code}): ${clip(err.message)}`);
      return say(`${your} Disco device refused (${code}): ${clip(err.message)}`);
  }
}
