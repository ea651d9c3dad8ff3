import { describe, expect, it } from 'vitest';
import { b64u } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { encodeCbor } from '../ic/cbor/index.js';
import { checkCoverage, coveredNames, verifyProofsFor } from './coverage.js';
import { createIssueRequest, verifyIssueRequest } from './issue_request.js';
import { peerLabel } from './names.js';
import { signPossession, verifyPossession } from './possession.js';
import { createProof, PROOF_VALIDITY_SECONDS, verifyProof } from './proof.js';
import { DOMAINS, signDocument } from './signed_document.js';
import { newSigner } from './testing.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const ZONE = 'nt.disco.test';
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

const server = await newSigner();
const device = await newSigner();
const other = await newSigner();
const trusted = new Map([[server.peer.text, server.peer]]);

describe('proofs', () => {
  it('carry the peer, addresses and a 5-minute window, signed by the proof server', async () => {
    const token = await createProof(server, device.peer, ['127.0.0.1', '::1'], NOW);
    const proof = await verifyProof(token, { trusted, nowMs: NOW + 1000 });
    expect(proof.peer.text).toBe(device.peer.text);
    expect(proof.issuer.text).toBe(server.peer.text);
    expect(proof.addresses).toEqual(['127.0.0.1', '::1']);
    expect(proof.expiresAt - proof.issuedAt).toBe(PROOF_VALIDITY_SECONDS);
  });

  it('are refused expired, from the future, from an unknown server, tampered or malformed', async () => {
    const token = await createProof(server, device.peer, ['127.0.0.1'], NOW);
    expect(await codeOf(verifyProof(token, { trusted, nowMs: NOW + 340_000 }))).toBe(
      'ERR_NODETRUST_PROOF_EXPIRED',
    );
    expect(await codeOf(verifyProof(token, { trusted, nowMs: NOW - 60_000 }))).toBe(
      'ERR_NODETRUST_PROOF_INVALID',
    );
    expect(await codeOf(verifyProof(token, { trusted: new Map(), nowMs: NOW }))).toBe(
      'ERR_NODETRUST_PROOF_UNTRUSTED',
    );
    // Signed by another key claiming to be the trusted server.
    const forged = await signDocument(
      DOMAINS.proof,
      {
        typ: 'nodetrust-proof/1',
        iss: server.peer.text,
        sub: device.peer.text,
        addrs: [],
        iat: 1,
        exp: 2,
      },
      other,
    );
    expect(await codeOf(verifyProof(forged, { trusted, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_PROOF_INVALID',
    );
    // A valid signature for another purpose (the issue domain) is not a proof.
    const wrongDomain = await signDocument(
      DOMAINS.issue,
      {
        typ: 'nodetrust-proof/1',
        iss: server.peer.text,
        sub: device.peer.text,
        addrs: [],
        iat: 1,
        exp: 2,
      },
      server,
    );
    expect(await codeOf(verifyProof(wrongDomain, { trusted, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_PROOF_INVALID',
    );
    const bytes = b64u.decode(token);
    bytes[bytes.length - 70] = (bytes[bytes.length - 70] ?? 0) ^ 1; // inside the payload
    expect(await codeOf(verifyProof(b64u.encode(bytes), { trusted, nowMs: NOW }))).toMatch(
      /ERR_NODETRUST_(PROOF_INVALID|MALFORMED|PROOF_UNTRUSTED)/,
    );
    for (const bad of [
      42,
      '',
      '!!',
      b64u.encode(encodeCbor({ payload: new Uint8Array(1) })),
      'a'.repeat(40_000),
    ]) {
      expect(await codeOf(verifyProof(bad, { trusted, nowMs: NOW }))).toBe(
        'ERR_NODETRUST_MALFORMED',
      );
    }
  });
});

describe('proof of possession', () => {
  it('binds the signature to the server and the challenge', async () => {
    const challenge = random(32);
    const sig = await signPossession(device, server.peer.text, challenge);
    expect(await verifyPossession(device.peer, server.peer.text, challenge, sig)).toBe(true);
    expect(await verifyPossession(other.peer, server.peer.text, challenge, sig)).toBe(false);
    expect(await verifyPossession(device.peer, other.peer.text, challenge, sig)).toBe(false);
    expect(await verifyPossession(device.peer, server.peer.text, random(32), sig)).toBe(false);
    expect(await verifyPossession(device.peer, server.peer.text, challenge, 'not base64!')).toBe(
      false,
    );
  });
});

describe('issue requests', () => {
  const content = {
    audience: 'https://issue.test',
    proofs: ['x'],
    algorithms: ['ecdsa-p256'],
    csr: Uint8Array.of(1, 2),
  };

  it('are signed by the requesting peer and read back', async () => {
    const token = await createIssueRequest(device, content, NOW, random);
    const request = await verifyIssueRequest(token, { audience: content.audience, nowMs: NOW });
    expect(request.peer.text).toBe(device.peer.text);
    expect(request.proofs).toEqual(['x']);
    expect(request.csr).toEqual(content.csr);
    expect(request.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('are refused for another audience, out of their window, or signed by another key', async () => {
    const token = await createIssueRequest(device, content, NOW, random);
    expect(
      await codeOf(verifyIssueRequest(token, { audience: 'https://other.test', nowMs: NOW })),
    ).toBe('ERR_NODETRUST_WRONG_AUDIENCE');
    expect(
      await codeOf(verifyIssueRequest(token, { audience: content.audience, nowMs: NOW + 600_000 })),
    ).toBe('ERR_NODETRUST_REQUEST_EXPIRED');
    const impostor = await signDocument(
      DOMAINS.issue,
      {
        typ: 'nodetrust-issue/1',
        aud: content.audience,
        sub: device.peer.text,
        iat: NOW / 1000,
        jti: 'j',
        proofs: [],
        algorithms: [],
        csr: Uint8Array.of(1),
      },
      other,
    );
    expect(
      await codeOf(verifyIssueRequest(impostor, { audience: content.audience, nowMs: NOW })),
    ).toBe('ERR_NODETRUST_SIGNATURE_INVALID');
  });
});

describe('coverage', () => {
  it('refuses a proof replayed by another peer and names the proofs do not cover', async () => {
    const proof = await createProof(server, device.peer, ['192.0.2.7'], NOW);
    expect(await codeOf(verifyProofsFor(other.peer, [proof], { trusted, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_PROOF_PEER',
    );
    expect(await codeOf(verifyProofsFor(device.peer, [], { trusted, nowMs: NOW }))).toBe(
      'ERR_NODETRUST_NO_PROOFS',
    );
    const proofs = await verifyProofsFor(device.peer, [proof], { trusted, nowMs: NOW });
    const covered = coveredNames(device.peer, proofs, ZONE);
    expect([...covered].sort()).toEqual(
      [`${peerLabel(device.peer)}.${ZONE}`, `ip4192-0-2-7.${ZONE}`].sort(),
    );
    expect(() => checkCoverage([`ip4192-0-2-7.${ZONE}`], covered)).not.toThrow();
    for (const name of [
      `ip4192-0-2-8.${ZONE}`,
      `${peerLabel(other.peer)}.${ZONE}`,
      'example.com',
    ]) {
      expect(await codeOf(Promise.resolve().then(() => checkCoverage([name], covered)))).toBe(
        'ERR_NODETRUST_NAME_NOT_COVERED',
      );
    }
  });
});
