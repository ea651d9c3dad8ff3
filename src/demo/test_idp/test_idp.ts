import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Express } from 'express';
import { isDiscoError } from '../../protocol/errors/index.js';
import { createDelegation, derOf, parsePublicKey, type IcSigner } from '../../protocol/ic/index.js';
import { listen } from '../../server/listen.js';
import {
  ApiError,
  baseApp,
  consoleLogger,
  finish,
  jsonBody,
  readObject,
  sameOriginOnly,
  servePublic,
  wrap,
  type Logger,
} from '../common/http.js';

/**
 * A test identity provider: the provider's side of Internet Identity's window-messaging protocol
 * (II spec "Client authentication protocol"), for the browser tests and `npm start`, since the
 * real II cannot be reached here. The popup page (`public/`) speaks the protocol and lets the
 * person approve or refuse; this server signs the delegation to the app's session key.
 *
 * Like II, the person's key depends on the app's origin (II derives a principal per frontend
 * origin): the root is an Ed25519 key derived from a secret and that origin, so the chain verifies
 * without a canister signature. Not a real provider: there is no one to authenticate.
 */
export interface TestIdpConfig {
  /** 32 bytes; random by default. The same secret and origin give the same principal. */
  secret?: Uint8Array;
  /** The longest delegation given, ns (II's: 30 days). */
  maxTimeToLiveNs?: bigint;
  /** When the app sends none (II's default: 30 minutes). */
  defaultTimeToLiveNs?: bigint;
  clock?: { now(): number };
  log?: Logger;
}

const MINUTE_NS = 60_000_000_000n;
const MAX_TTL_NS = 30n * 24n * 60n * MINUTE_NS;
const DEFAULT_TTL_NS = 30n * MINUTE_NS;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function rootFor(secret: Uint8Array, origin: string): IcSigner {
  const seed = sha256(new Uint8Array([...secret, ...new TextEncoder().encode(origin)]));
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(seed)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, seed)),
  };
}

function readOrigin(value: unknown): string {
  if (typeof value !== 'string' || value.length > 200) {
    throw new ApiError('ERR_INVALID_INPUT', 'origin must be an origin.');
  }
  try {
    if (new URL(value).origin === value) return value;
  } catch {
    // refused below
  }
  throw new ApiError('ERR_INVALID_INPUT', 'origin must be an origin.');
}

function readSessionKey(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^([0-9a-f]{2}){1,200}$/.test(value)) {
    throw new ApiError('ERR_INVALID_INPUT', 'sessionPublicKey must be hex.');
  }
  try {
    return parsePublicKey(Uint8Array.from(Buffer.from(value, 'hex'))).der;
  } catch (err) {
    if (isDiscoError(err)) throw new ApiError('ERR_INVALID_INPUT', err.message);
    throw err;
  }
}

function readTtl(value: unknown, fallback: bigint): bigint {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,19}$/.test(value)) {
    throw new ApiError('ERR_INVALID_INPUT', 'maxTimeToLive must be a decimal count of ns.');
  }
  return BigInt(value);
}

/** The test provider's Express app: the popup page and `POST /api/delegation`. */
export function createTestIdp(config: TestIdpConfig = {}): Express {
  const secret = config.secret ?? crypto.getRandomValues(new Uint8Array(32));
  if (secret.length !== 32) throw new TypeError('secret must be 32 bytes');
  const clock = config.clock ?? { now: () => Date.now() };
  const maxTtl = config.maxTimeToLiveNs ?? MAX_TTL_NS;
  const defaultTtl = config.defaultTimeToLiveNs ?? DEFAULT_TTL_NS;
  const log = config.log ?? consoleLogger;

  const app = baseApp();
  // The popup must keep its opener: the app waits for its messages (the demos' default,
  // `same-origin`, would cut the popup off from the window that opened it).
  app.use((_req, res, next) => {
    res.set('cross-origin-opener-policy', 'unsafe-none');
    next();
  });
  app.post(
    '/api/delegation',
    sameOriginOnly,
    jsonBody,
    wrap(async (req, res) => {
      const body = readObject(req.body, ['sessionPublicKey', 'maxTimeToLive', 'origin']);
      const sessionKey = readSessionKey(body.sessionPublicKey);
      const origin = readOrigin(body.origin);
      const ttl = readTtl(body.maxTimeToLive, defaultTtl);
      const expiration = BigInt(clock.now()) * 1_000_000n + (ttl < maxTtl ? ttl : maxTtl);
      const chain = await createDelegation(rootFor(secret, origin), {
        pubkey: sessionKey,
        expiration,
      });
      res.json({
        userPublicKey: hex(chain.publicKey),
        delegations: chain.delegations.map(({ delegation, signature }) => ({
          delegation: {
            pubkey: hex(delegation.pubkey),
            expiration: delegation.expiration.toString(),
          },
          signature: hex(signature),
        })),
      });
    }),
  );
  servePublic(app, import.meta.url);
  finish(app, log);
  return app;
}

/** Starts the test provider on 127.0.0.1 (`port` 0 picks a free one). */
export async function startTestIdp(
  config: TestIdpConfig & { port?: number; host?: string } = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await listen(createTestIdp(config), config.port ?? 0, config.host);
  return { url: server.url, stop: server.close };
}
