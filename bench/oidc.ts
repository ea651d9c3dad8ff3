// The oidc section of `npm run bench`: our engine next to node-oidc-provider (a dev dependency of
// the bench only), both behind node:http on 127.0.0.1, driven by the same loopback HTTP client
// with 1 and 10 requests in flight, in the same run (issue #13: "the same vs node-oidc-provider
// (EdDSA JWT, client_credentials)").
//
// node-oidc-provider answers a client_credentials grant (client_secret_basic) with an EdDSA-signed
// JWT access token: one key operation a request. Our engine answers a rule-approved authorize
// request with key A: it opens the sealed request (X25519), verifies the client's ES256 signature,
// signs key A and the answer (EdDSA) and seals the answer to the client (ECDH on P-256): four key
// operations and an encryption a request. The engine has no Node HTTP front of its own (the relay
// reaches devices over WebRTC), so it sits behind the smallest one: a node:http server whose
// handler reads the body and calls `handleRequest`, as the service worker does with a fetch.
import {
  createServer,
  request,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { b64u, systemRandom, utf8 } from '../src/protocol/encoding/index.js';
import { handleRequest } from '../src/protocol/engine/index.js';
import { createCertificateCache } from '../src/protocol/x509/index.js';
import { makeDevice } from '../src/testing/engine_harness.js';
import { createClientIdentity, sealRequest } from '../src/sdk/index.js';
import { cryptoFloor } from './crypto_floor.js';
import type { Results } from './results.js';

/** Requests per timed round, per side; the rounds alternate so that load weighs on both alike. */
const ENGINE_REQUESTS = 150;
const OIDC_REQUESTS = 600;
const ROUNDS = 3;

type Send = (agent: Agent) => Promise<number>;

/**
 * The part of node-oidc-provider's API used here: it ships no types (and @types/oidc-provider is
 * not a dependency), so the module is named through a variable and typed by hand.
 */
type ProviderClass = new (
  issuer: string,
  configuration: Record<string, unknown>,
) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };
const OIDC_PROVIDER = 'oidc-provider';

function listen(server: Server): Promise<number> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)),
  );
}

/** One HTTP request; resolves with the status once the whole answer is read. */
function send(
  agent: Agent,
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array | string,
): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers },
      (res) => {
        res.on('data', () => {}).on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** `total` requests, `inFlight` at a time; answers per second. Any status but 200 fails the run. */
async function drive(next: Send, total: number, inFlight: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  let left = total;
  const worker = async () => {
    while (left > 0) {
      left--;
      const status = await next(agent);
      if (status !== 200) throw new Error(`bench: an answer with status ${status}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - start;
  agent.destroy();
  return (total * 1000) / ms;
}

/** node-oidc-provider with one client and one resource server issuing EdDSA JWT access tokens. */
async function startProvider(): Promise<{ port: number; server: Server; auth: string }> {
  const { default: Provider } = (await import(OIDC_PROVIDER)) as { default: ProviderClass };
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'EdDSA', use: 'sig', kid: 'bench' };
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'bench-shop',
        client_secret: 'secret-of-Bench Shop-'.padEnd(40, 'x'),
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['bench cookie key'] },
    ttl: { ClientCredentials: 600 },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:bench:api',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'address',
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'EdDSA' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());
  const auth = `Basic ${Buffer.from(`bench-shop:${'secret-of-Bench Shop-'.padEnd(40, 'x')}`).toString('base64')}`;
  return { port, server, auth };
}

/** Our engine behind node:http: the body read whole, then `handleRequest`, as the worker does. */
async function startEngine() {
  const d = await makeDevice();
  const me = await createClientIdentity({ name: 'Bench Shop', clock: d.clock });
  const shop = await d.client('Bench Shop', { identity: me });
  await shop.register();
  d.person.answer = 'remember';
  await shop.requestKeyA(['address']);
  const deps = { ...d.deps, certificates: createCertificateCache() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handleRequest(
        {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: {},
          body: new Uint8Array(Buffer.concat(chunks)),
        },
        deps,
      ).then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
    });
  });
  const port = await listen(server);
  /** Requests sealed before the clock starts, each with its own jti and state. */
  const sealed = async (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const now = Math.floor(d.clock.now() / 1000);
      const claims = {
        iss: 'bench-shop',
        aud: d.device.deviceId,
        iat: now,
        exp: now + 60,
        htu: '/disco/auth/authorize',
        jti: b64u.encode(systemRandom(16)),
        state: b64u.encode(systemRandom(16)),
        client_secret: 'secret-of-Bench Shop-'.padEnd(40, 'x'),
        scope: 'key_b address',
      };
      out.push(await sealRequest(claims, me, d.device));
    }
    return out;
  };
  return { port, server, sealed, floor: await cryptoFloor(d, me) };
}

export async function oidcSection(results: Results): Promise<void> {
  console.log(
    '\nThe engine next to node-oidc-provider, each behind node:http on 127.0.0.1 (same client)',
  );
  const provider = await startProvider();
  const engine = await startEngine();
  const tokenBody = 'grant_type=client_credentials&scope=address';
  const oidc: Send = (agent) =>
    send(
      agent,
      provider.port,
      '/token',
      {
        authorization: provider.auth,
        'content-type': 'application/x-www-form-urlencoded',
      },
      tokenBody,
    );
  try {
    for (const inFlight of [1, 10]) {
      let engineMs = 0;
      let oidcMs = 0;
      let floorMs = 0;
      await drive(oidc, 50, inFlight); // warm-up
      for (const body of await engine.sealed(10)) {
        await send(new Agent(), engine.port, '/disco/auth/authorize', {}, body);
      }
      for (let round = 0; round < ROUNDS; round++) {
        const bodies = await engine.sealed(ENGINE_REQUESTS);
        const ours: Send = (agent) =>
          send(agent, engine.port, '/disco/auth/authorize', {}, bodies.pop()!);
        engineMs += (ENGINE_REQUESTS * 1000) / (await drive(ours, ENGINE_REQUESTS, inFlight));
        oidcMs += (OIDC_REQUESTS * 1000) / (await drive(oidc, OIDC_REQUESTS, inFlight));
        if (inFlight !== 1) continue;
        // What no engine could beat: its own crypto, bare and in process, one at a time.
        const bare = (await engine.sealed(ENGINE_REQUESTS)).map((body) => utf8.encode(body));
        const start = performance.now();
        for (const body of bare) await engine.floor(body);
        floorMs += performance.now() - start;
      }
      const suffix = inFlight === 1 ? '' : `_${inFlight}_in_flight`;
      const ourRate = (ROUNDS * ENGINE_REQUESTS * 1000) / engineMs;
      const theirRate = (ROUNDS * OIDC_REQUESTS * 1000) / oidcMs;
      results.add(
        `oidc_provider_client_credentials${suffix}`,
        `node-oidc-provider 8.8.1, client_credentials, EdDSA JWT, ${inFlight} in flight`,
        theirRate,
        'ops/s',
      );
      results.add(
        `engine_http_authorize${suffix}`,
        `our engine over HTTP, authorize → key A, ${inFlight} in flight`,
        ourRate,
        'ops/s',
        `oidc_provider_client_credentials${suffix}`,
      );
      console.log(
        `  ${inFlight} in flight: engine ${ourRate.toFixed(1)}/s, node-oidc-provider ` +
          `${theirRate.toFixed(1)}/s: ${(ourRate / theirRate).toFixed(2)}×`,
      );
      if (floorMs === 0) continue;
      const floorRate = (ROUNDS * ENGINE_REQUESTS * 1000) / floorMs;
      results.add(
        'oidc_crypto_floor',
        "our engine's crypto alone, in process, no HTTP, in the same rounds",
        floorRate,
        'ops/s',
      );
      const bound = results.ratio(
        'crypto_floor_over_oidc_provider',
        "our engine's bare crypto over node-oidc-provider's whole HTTP exchange, 1 in flight: the best ratio possible",
        'oidc_crypto_floor',
        'oidc_provider_client_credentials',
      );
      console.log(
        `  our crypto alone, in process: ${floorRate.toFixed(1)}/s, ${bound.toFixed(2)}× node-oidc-provider over HTTP`,
      );
    }
    results.ratio(
      'engine_over_oidc_provider',
      'engine over HTTP (authorize → key A) over node-oidc-provider (client_credentials, EdDSA JWT), 1 in flight',
      'engine_http_authorize',
      'oidc_provider_client_credentials',
    );
    results.ratio(
      'engine_over_oidc_provider_10_in_flight',
      'the same, 10 in flight',
      'engine_http_authorize_10_in_flight',
      'oidc_provider_client_credentials_10_in_flight',
    );
  } finally {
    provider.server.close();
    engine.server.close();
  }
}
