import { DiscoError } from '../errors/index.js';
import type { ClientRequest } from './client_request.js';
import { sha256b64u } from './sha256.js';
import type { ClientRecord } from './records.js';
import { notAClient } from './refusals.js';

const wrongSecret = (): DiscoError =>
  new DiscoError('ERR_CLIENT_SECRET', 'The client secret is wrong.');

/** Whether the request's `client_secret` is the one stored (as SHA-256) at registration. */
export async function secretMatches(r: ClientRequest, secretHash: string): Promise<boolean> {
  const secret = typeof r.claims.client_secret === 'string' ? r.claims.client_secret : '';
  return (await sha256b64u(secret)) === secretHash;
}

/** A registered client's request proves its secret (every endpoint but register). */
export async function checkSecret(r: ClientRequest): Promise<ClientRecord> {
  const client = r.client;
  if (!client) throw notAClient();
  if (!(await secretMatches(r, client.secretHash))) throw wrongSecret();
  return client;
}

/** A register poll has no client record yet: the secret is the one its request chose. */
export async function checkRegisterSecret(r: ClientRequest, secretHash: string): Promise<void> {
  if (!(await secretMatches(r, secretHash))) throw wrongSecret();
}
