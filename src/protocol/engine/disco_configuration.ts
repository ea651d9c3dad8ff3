import { DiscoError } from '../errors/index.js';
import { IDENTITY, type IdentityRecord } from '../identity/identity.js';
import { json, type Endpoint } from './types.js';
import { PATHS } from '../messages/paths.js';

/**
 * `GET /disco/.well-known/disco-configuration`: the device's metadata, in the spirit of
 * RFC 8414 (OAuth 2.0 Authorization Server Metadata). Everything is read from the store.
 */
export const discoConfiguration: Endpoint = async (_req, { store, origin }) => {
  const identity = await store.get<IdentityRecord>(IDENTITY.collection, IDENTITY.key);
  if (!identity) {
    throw new DiscoError('ERR_IDENTITY_MISSING', 'This device has not been set up yet.');
  }
  const endpoints = Object.fromEntries(
    Object.entries(PATHS).map(([name, path]) => [name, `${origin}${path}`]),
  );
  return json(200, {
    issuer: identity.deviceId,
    device_id: identity.deviceId,
    jwks: {
      keys: [
        { ...identity.signingJwk, kid: identity.deviceId, use: 'sig', alg: 'EdDSA' },
        {
          ...identity.envelopeJwk,
          kid: `${identity.deviceId}#enc`,
          use: 'enc',
          alg: 'ECDH-ES+A256KW',
        },
      ],
    },
    endpoints,
    token_signing_alg_values_supported: ['EdDSA'],
    envelope_alg_values_supported: ['ECDH-ES+A256KW', 'RSA-OAEP-256'],
    envelope_enc_values_supported: ['A256GCM'],
  });
};
