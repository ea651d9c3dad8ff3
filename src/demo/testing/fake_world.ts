import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { decide, loadContext, COLLECTIONS, type PendingRecord } from '../../protocol/auth/index.js';
import { handleRequest } from '../../protocol/engine/index.js';
import { sealJson } from '../../protocol/jose/index.js';
import { PAIRINGS, type PairingRecord } from '../../protocol/pairing/pairing.js';
import { peerIdOf } from '../../protocol/tunnel/peer_id.js';
import { importCertificateKey, parseCertificate } from '../../protocol/x509/index.js';
import { DiscoError } from '../../sdk/index.js';
import { listen } from '../../server/listen.js';
import { makeDevice } from '../../testing/engine_harness.js';

/** What the scripted person does with a request on their device. */
export type Answer = 'approve' | 'deny' | 'ignore';

interface RelayPairing {
  uid: string;
  thumbprint: string;
  challenge: string;
  token: string;
  paired: boolean;
  onPaired: Array<() => void>;
}

/**
 * A fake world for the demos' tests: a real device engine (the engine harness: a MemoryStore, a
 * fake clock, the real `handleRequest`) behind a fake relay that speaks the relay's API as the
 * SDK uses it (docs/wire/relay.md: `GET /uid`, `GET /uid/<uid>/wait`, the `/p/<peer id>/`
 * tunnel with its 504 when the device is away), and a scripted person
 * who answers each request while the clients wait (the demos get `wait` and `clock`).
 */
export async function fakeWorld() {
  const dev = await makeDevice();
  const peerId = peerIdOf(dev.device.deviceId);
  const person = {
    answer: (_p: PendingRecord): Answer => 'approve',
    /** Every request the person was shown, in order (kind, who asks). */
    seen: [] as PendingRecord[],
  };
  /**
   * `online`: when false the relay answers the tunnel with 504 ERR_DEVICE_UNREACHABLE.
   * `timeScale`: how much faster than the SDK asks time passes between polls (to reach expiries).
   */
  const state = { online: true, timeScale: 1 };
  /** Every URL the relay was asked for: tests check that no secret is in one. */
  const urls: string[] = [];
  const pairings = new Map<string, RelayPairing>();
  const byToken = new Map<string, RelayPairing>();

  async function act(): Promise<void> {
    for (const { value: p } of await dev.store.list<PendingRecord>(COLLECTIONS.pending)) {
      if (p.status !== 'pending' || person.seen.some((s) => s.id === p.id)) continue;
      person.seen.push(p);
      const answer = person.answer(p);
      if (answer === 'ignore') continue;
      await decide(
        p.id,
        { approve: answer === 'approve', by: 'person' },
        await loadContext(dev.deps),
      );
    }
  }

  /** The SDK's wait between polls: time passes on the device, and the person answers. */
  async function wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
    dev.clock.t += ms * state.timeScale;
    await act();
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
  }

  const app = express();
  app.use((req, _res, next) => {
    urls.push(req.originalUrl);
    next();
  });

  app.get('/uid', (req: Request, res: Response) => {
    void (async () => {
      const header = req.headers['disco-client-certificate'];
      if (typeof header !== 'string') {
        res.status(400).json({ error: 'invalid_request', code: 'ERR_INVALID_INPUT' });
        return;
      }
      const cert = await parseCertificate(Buffer.from(header, 'base64'));
      const challenge = randomBytes(16).toString('base64url');
      const sealed = await sealJson({ challenge }, await importCertificateKey(cert, 'encrypt'));
      const digits = Array.from(randomBytes(8), (b) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[b & 31]);
      const uid = `${digits.slice(0, 4).join('')}-${digits.slice(4).join('')}`;
      const p: RelayPairing = {
        uid,
        thumbprint: cert.thumbprint,
        challenge,
        token: randomBytes(16).toString('base64url'),
        paired: false,
        onPaired: [],
      };
      pairings.set(uid, p);
      byToken.set(p.token, p);
      res.json({
        uid,
        expires_in: 300,
        challenge: sealed,
        wait_url: `${relay.url}/uid/${uid}/wait`,
        wait_token: p.token,
        qr: `web+disco:pair?uid=${uid}&x5t=${cert.thumbprint}`,
      });
    })().catch(() => res.status(500).json({ error: 'server_error', code: 'ERR_INTERNAL' }));
  });

  app.get('/uid/:uid/wait', (req: Request, res: Response) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const p = token ? byToken.get(token) : undefined;
    if (!p || p.uid !== req.params.uid) {
      res.status(404).json({ error: 'invalid_request', code: 'ERR_NOT_FOUND' });
      return;
    }
    const answer = () => {
      if (res.headersSent) return;
      if (!p.paired) {
        res.status(204).end();
        return;
      }
      res.json({
        uid: p.uid,
        device_id: dev.device.deviceId,
        peer_id: peerId,
        public_key: dev.device.signingJwk,
        proxy_url: `${relay.url}/p/${peerId}/`,
      });
    };
    if (p.paired) return answer();
    p.onPaired.push(answer);
    setTimeout(answer, 500).unref();
  });

  app.all(
    /^\/p\/([^/]+)(\/disco\/.*)$/,
    express.raw({ type: () => true, limit: '1mb' }),
    (req: Request, res: Response) => {
      const m = /^\/p\/([^/]+)(\/disco\/.*)$/.exec(req.originalUrl);
      if (!m || m[1] !== peerId || !state.online) {
        res.status(504).json({
          error: 'temporarily_unavailable',
          error_description: 'The device is not connected.',
          code: 'ERR_DEVICE_UNREACHABLE',
        });
        return;
      }
      const body =
        req.body instanceof Buffer && req.body.length ? new Uint8Array(req.body) : undefined;
      handleRequest(
        { method: req.method, path: m[2]!, headers: {}, ...(body ? { body } : {}) },
        dev.deps,
      ).then(
        (out) => res.status(out.status).set(out.headers).send(out.body),
        () => res.status(500).json({ error: 'server_error', code: 'ERR_INTERNAL' }),
      );
    },
  );

  const relay = await listen(app, 0);

  /** The person enters the uid on the device: it stores the pairing, the RP's wait returns. */
  async function pair(uid: string): Promise<void> {
    const p = pairings.get(uid);
    if (!p) throw new Error(`unknown uid ${uid}`);
    const record: PairingRecord = {
      thumbprint: p.thumbprint,
      uid,
      challenge: p.challenge,
      relay: relay.url,
      pairedAt: dev.clock.now(),
      confirmedOutOfBand: false,
    };
    await dev.store.write([{ op: 'put', collection: PAIRINGS, key: p.thumbprint, value: record }]);
    p.paired = true;
    for (const f of p.onPaired.splice(0)) f();
  }

  return {
    relayUrl: relay.url,
    device: dev,
    peerId,
    person,
    state,
    urls,
    pair,
    sdk: { clock: dev.clock, wait },
    close: () => relay.close(),
  };
}

export type FakeWorld = Awaited<ReturnType<typeof fakeWorld>>;
