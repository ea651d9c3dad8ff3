import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u } from '../../protocol/encoding/index.js';
import { signPossession, verifyProof, type Signer } from '../../protocol/nodetrust/index.js';
import { newSigner } from '../../protocol/nodetrust/testing.js';
import { listen } from '../listen.js';
import { createProofApp } from './proof_server.js';

let server: Signer;
let clock = Date.now();
let app: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await newSigner();
  app = await listen(createProofApp({ signer: server, now: () => clock }), 0);
});
afterAll(() => app.close());

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}/nodetrust/proof/1.0.0`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function challengeFor(peer: Signer): Promise<string> {
  const { body } = await post({ peer: peer.peer.text });
  expect(body.server).toBe(server.peer.text);
  return body.challenge as string;
}

describe('proof server', () => {
  it('gives a proof of the observed address after proof of possession', async () => {
    const device = await newSigner();
    const challenge = await challengeFor(device);
    const signature = await signPossession(device, server.peer.text, b64u.decode(challenge));
    const { status, body } = await post({ peer: device.peer.text, challenge, signature });
    expect(status).toBe(200);
    expect(body.addresses).toEqual(['127.0.0.1']);
    const proof = await verifyProof(body.proof, {
      trusted: new Map([[server.peer.text, server.peer]]),
      nowMs: clock,
    });
    expect(proof.peer.text).toBe(device.peer.text);
    expect(proof.addresses).toEqual(['127.0.0.1']);
  });

  it('uses each challenge once, for its peer only, before it expires', async () => {
    const device = await newSigner();
    const other = await newSigner();
    const challenge = await challengeFor(device);
    const signature = await signPossession(device, server.peer.text, b64u.decode(challenge));
    expect((await post({ peer: device.peer.text, challenge, signature })).status).toBe(200);
    expect((await post({ peer: device.peer.text, challenge, signature })).body.code).toBe(
      'ERR_NODETRUST_CHALLENGE_UNKNOWN',
    );

    const forDevice = await challengeFor(device);
    const otherSig = await signPossession(other, server.peer.text, b64u.decode(forDevice));
    expect(
      (await post({ peer: other.peer.text, challenge: forDevice, signature: otherSig })).body.code,
    ).toBe('ERR_NODETRUST_CHALLENGE_UNKNOWN');

    const late = await challengeFor(device);
    clock += 61_000;
    const lateSig = await signPossession(device, server.peer.text, b64u.decode(late));
    expect(
      (await post({ peer: device.peer.text, challenge: late, signature: lateSig })).body.code,
    ).toBe('ERR_NODETRUST_CHALLENGE_UNKNOWN');
  });

  it('refuses a signature by another key, for another server, and malformed bodies', async () => {
    const device = await newSigner();
    const other = await newSigner();
    const c1 = await challengeFor(device);
    const byOther = await signPossession(other, server.peer.text, b64u.decode(c1));
    expect(await post({ peer: device.peer.text, challenge: c1, signature: byOther })).toMatchObject(
      {
        status: 401,
        body: { code: 'ERR_NODETRUST_SIGNATURE_INVALID' },
      },
    );
    const c2 = await challengeFor(device);
    const forOtherServer = await signPossession(device, other.peer.text, b64u.decode(c2));
    expect(
      (await post({ peer: device.peer.text, challenge: c2, signature: forOtherServer })).body.code,
    ).toBe('ERR_NODETRUST_SIGNATURE_INVALID');
    expect((await post({})).body.code).toBe('ERR_NODETRUST_MALFORMED');
    expect((await post('{"peer":')).body.code).toBe('ERR_NODETRUST_MALFORMED');
    expect((await post({ peer: 'QmNotAnEd25519Peer' })).body.code).toBe(
      'ERR_NODETRUST_PEER_ID_INVALID',
    );
    expect((await post({ peer: device.peer.text, challenge: 5, signature: 'x' })).body.code).toBe(
      'ERR_NODETRUST_MALFORMED',
    );
    expect((await post('x'.repeat(5000))).status).toBe(413);
  });

  it('limits calls per client address', async () => {
    const limited = await listen(createProofApp({ signer: server, perMinute: 3 }), 0);
    try {
      const device = await newSigner();
      const call = async () =>
        fetch(`${limited.url}/nodetrust/proof/1.0.0`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ peer: device.peer.text }),
        });
      for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
      const refused = await call();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { code: string }).code).toBe('ERR_RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('CORS (the device app calls from its own origin)', () => {
  it('answers the preflight of a JSON POST and allows any origin on the answer', async () => {
    const pre = await fetch(`${app.url}/nodetrust/proof/1.0.0`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8710',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
    const res = await fetch(`${app.url}/nodetrust/proof/1.0.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8710' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
