import { DiscoError } from '../errors/index.js';

/**
 * The one answer to a request that does not authenticate as a registered client: an unknown
 * `iss`, a removed client, and a known `iss` signed by anyone else get the same bytes, so an
 * outsider cannot learn which companies the person uses (issue #12, 2; docs/threat-model.md).
 */
export const notAClient = (): DiscoError =>
  new DiscoError('ERR_CLIENT_UNKNOWN', 'This client is not registered with the device.');

/** A poll for a request that is not (or no longer) this client's to collect. */
export const consentUnknown = (): DiscoError =>
  new DiscoError('ERR_CONSENT_UNKNOWN', 'No such request is waiting for this client.');
