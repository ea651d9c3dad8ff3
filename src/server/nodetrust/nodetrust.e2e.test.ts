/**
 * End to end on 127.0.0.1 with real parts: our DNS server, two proof servers, the issue server
 * and Debian's pebble (ACME v2, DNS-01 resolved through our DNS server), and the Node client.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u } from '../../protocol/encoding/index.js';
import { isDiscoError } from '../../protocol/errors/index.js';
import {
  createCsr,
  createIssueRequest,
  generateCertificateKey,
  peerLabel,
  signPossession,
  type Signer,
} from '../../protocol/nodetrust/index.js';
import { newSigner } from '../../protocol/nodetrust/testing.js';
import { x509 } from '../../protocol/x509/lib/peculiar.js';
import { parseCertificateChain, validateCertificate } from '../../protocol/x509/index.js';
import { listen } from '../listen.js';
import { obtainCertificate } from './client.js';
import { createAcmeIssuer } from './acme_issuer.js';
import { createDns01App } from './dns/dns01_app.js';
import { startDnsServer } from './dns/dns_server.js';
import { createIssueApp } from './issue_server.js';
import { createProofApp } from './proof_server.js';
import { startNodetrust, type Nodetrust } from './start_nodetrust.js';

const run = promisify(execFile);
const ZONE = 'nt.disco.test';
let nt: Nodetrust;

beforeAll(async () => {
  // Every request here comes from 127.0.0.1: the per-address limits are raised (tested below).
  nt = await startNodetrust({
    zone: ZONE,
    rateLimits: { proofPerMinute: 1000, issuePerMinute: 1000 },
  });
}, 60_000);
afterAll(async () => {
  await nt?.stop();
});

async function proofFrom(url: string, signer: Signer): Promise<string> {
  const post = async (body: unknown) =>
    (await (
      await fetch(`${url}/nodetrust/proof/1.0.0`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, string>;
  const first = await post({ peer: signer.peer.text });
  const signature = await signPossession(signer, first.server!, b64u.decode(first.challenge!));
  const second = await post({ peer: signer.peer.text, challenge: first.challenge, signature });
  expect(typeof second.proof).toBe('string');
  return second.proof!;
}

async function issue(
  request: string,
  issueUrl = nt.issueUrl,
): Promise<{ status: number; code?: string; certificate?: string }> {
  const response = await fetch(`${issueUrl}/nodetrust/issue/1.0.0`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ request }),
  });
  const body = (await response.json()) as { code?: string; certificate?: string };
  return { status: response.status, ...body };
}

async function requestFor(
  signer: Signer,
  proofs: string[],
  names: string[],
  options: { algorithms?: string[]; csr?: Uint8Array; audience?: string } = {},
): Promise<string> {
  const keys = await generateCertificateKey('ecdsa-p256');
  const csr = options.csr ?? (await createCsr(names, keys, 'ecdsa-p256'));
  return createIssueRequest(
    signer,
    {
      audience: options.audience ?? nt.issueUrl,
      proofs,
      algorithms: options.algorithms ?? ['ecdsa-p256'],
      csr,
    },
    Date.now(),
    (n) => crypto.getRandomValues(new Uint8Array(n)),
  );
}

async function sanOf(pemChain: string): Promise<string[]> {
  const [leaf] = await parseCertificateChain(pemChain);
  const ext = leaf!.certificate.getExtension(x509.SubjectAlternativeNameExtension);
  return (ext?.names.items ?? []).map((n) => n.value).sort();
}

describe('nodetrust end to end (pebble)', () => {
  it('a Node client gets a certificate for its p-name, chained to pebble’s root', async () => {
    const device = await newSigner();
    const started = Date.now();
    const result = await obtainCertificate({ issueUrl: nt.issueUrl, identity: device });
    const pName = `${peerLabel(device.peer)}.${ZONE}`;
    expect(result.names).toEqual([pName]);
    expect(result.algorithm).toBe('ecdsa-p256');
    expect([...result.proofServers].sort()).toEqual([...nt.proofServers].sort());
    expect(await sanOf(result.certificate)).toEqual([pName]);

    const chain = await parseCertificateChain(result.certificate);
    const [root] = await parseCertificateChain(await nt.ca.pebble!.rootCertificate());
    const validated = await validateCertificate(chain[0]!, {
      now: Date.now(),
      anchors: [root!],
      intermediates: chain.slice(1),
      purpose: 'verify',
    });
    expect(validated.trust).toBe('anchor');
    // The certificate holds the key the client made, never seen by the issue server.
    const certKey = new Uint8Array(await crypto.subtle.exportKey('spki', result.keys.publicKey));
    expect(new Uint8Array(chain[0]!.certificate.publicKey.rawData)).toEqual(certKey);
    expect(result.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a relay gets its ip4 name too, which our DNS answers', async () => {
    const relay = await newSigner();
    const result = await obtainCertificate({
      issueUrl: nt.issueUrl,
      identity: relay,
      includeAddresses: true,
    });
    expect(await sanOf(result.certificate)).toEqual(
      [`${peerLabel(relay.peer)}.${ZONE}`, `ip4127-0-0-1.${ZONE}`].sort(),
    );
    const { stdout } = await run('dig', [
      `@${nt.dns.host}`,
      '-p',
      String(nt.dns.port),
      `ip4127-0-0-1.${ZONE}`,
      'A',
      '+short',
    ]);
    expect(stdout.trim()).toBe('127.0.0.1');
  });
});

describe('nodetrust client', () => {
  it('ignores a failing proof server and a hanging one (seed: failures ignored), never hangs', async () => {
    const silent = net.createServer((socket) => socket.on('error', () => undefined)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hanging = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const device = await newSigner();
      const started = Date.now();
      const result = await obtainCertificate({
        issueUrl: nt.issueUrl,
        identity: device,
        proofUrls: ['http://127.0.0.1:9', hanging, nt.proofUrls[1]!],
        timeoutMs: 500,
      });
      expect(result.proofServers).toEqual([nt.proofServers[1]]);
      expect(Date.now() - started).toBeLessThan(20_000);
      const err = await obtainCertificate({
        issueUrl: nt.issueUrl,
        identity: device,
        proofUrls: [hanging],
        timeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(isDiscoError(err, 'ERR_NODETRUST_NO_PROOF_SERVER')).toBe(true);
    } finally {
      silent.close();
    }
  });
});

describe('nodetrust refusals', () => {
  it('a proof replayed by another peer', async () => {
    const device = await newSigner();
    const thief = await newSigner();
    const proof = await proofFrom(nt.proofUrls[0]!, device);
    const answer = await issue(
      await requestFor(thief, [proof], [`${peerLabel(device.peer)}.${ZONE}`]),
    );
    expect(answer.code).toBe('ERR_NODETRUST_PROOF_PEER');
    // Nor by naming the victim in a request the thief cannot sign.
    const forged = await requestFor(thief, [proof], [`${peerLabel(thief.peer)}.${ZONE}`]);
    expect((await issue(forged)).code).toBe('ERR_NODETRUST_PROOF_PEER');
  });

  it('a proof from a proof server the issue server does not know', async () => {
    const rogueKey = await newSigner();
    const rogue = await listen(createProofApp({ signer: rogueKey }), 0);
    try {
      const device = await newSigner();
      const proof = await proofFrom(rogue.url, device);
      const answer = await issue(
        await requestFor(device, [proof], [`${peerLabel(device.peer)}.${ZONE}`]),
      );
      expect(answer).toMatchObject({ status: 400, code: 'ERR_NODETRUST_PROOF_UNTRUSTED' });
    } finally {
      await rogue.close();
    }
  });

  it('a CSR for a name the proofs do not cover', async () => {
    const device = await newSigner();
    const other = await newSigner();
    const proof = await proofFrom(nt.proofUrls[1]!, device);
    for (const name of [
      `ip4203-0-113-9.${ZONE}`,
      `${peerLabel(other.peer)}.${ZONE}`,
      'example.com',
    ]) {
      const answer = await issue(
        await requestFor(device, [proof], [`${peerLabel(device.peer)}.${ZONE}`, name]),
      );
      expect(answer, name).toMatchObject({ status: 403, code: 'ERR_NODETRUST_NAME_NOT_COVERED' });
    }
  });

  it('a CSR whose key is of the wrong type, and no common algorithm', async () => {
    const device = await newSigner();
    const proof = await proofFrom(nt.proofUrls[0]!, device);
    const name = `${peerLabel(device.peer)}.${ZONE}`;
    const ed = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
    const edCsr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=${name}`,
      keys: ed,
      signingAlgorithm: { name: 'Ed25519' },
    });
    const answer = await issue(
      await requestFor(device, [proof], [name], { csr: new Uint8Array(edCsr.rawData) }),
    );
    expect(answer).toMatchObject({ status: 400, code: 'ERR_NODETRUST_CSR_KEY' });
    const p384 = await createCsr([name], await generateCertificateKey('ecdsa-p384'), 'ecdsa-p384');
    expect((await issue(await requestFor(device, [proof], [name], { csr: p384 }))).code).toBe(
      'ERR_NODETRUST_CSR_KEY',
    );
    expect(
      (await issue(await requestFor(device, [proof], [name], { algorithms: ['ed25519'] }))).code,
    ).toBe('ERR_NODETRUST_NO_ALGORITHM');
  });

  it('a replayed request, a request for another issue server, garbage', async () => {
    const device = await newSigner();
    const proof = await proofFrom(nt.proofUrls[0]!, device);
    // Refused before the CA is reached (the CSR key type), and still remembered.
    const request = await requestFor(device, [proof], [`${peerLabel(device.peer)}.${ZONE}`], {
      algorithms: ['rsa-2048'],
    });
    expect((await issue(request)).code).toBe('ERR_NODETRUST_CSR_KEY');
    expect((await issue(request)).code).toBe('ERR_NODETRUST_REQUEST_REPLAYED');
    const elsewhere = await createIssueRequest(
      device,
      {
        audience: 'https://other.example',
        proofs: [proof],
        algorithms: ['ecdsa-p256'],
        csr: Uint8Array.of(1),
      },
      Date.now(),
      (n) => crypto.getRandomValues(new Uint8Array(n)),
    );
    expect((await issue(elsewhere)).code).toBe('ERR_NODETRUST_WRONG_AUDIENCE');
    expect(await issue('garbage')).toMatchObject({ status: 400, code: 'ERR_NODETRUST_MALFORMED' });
    const notJson = await fetch(`${nt.issueUrl}/nodetrust/issue/1.0.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(((await notJson.json()) as { code: string }).code).toBe('ERR_NODETRUST_MALFORMED');
  });

  it('an unauthenticated dns-01 change', async () => {
    const name = `_acme-challenge.ip4127-0-0-1.${ZONE}`;
    const response = await fetch(`${nt.dns01Url}/nodetrust/dns-01/1.0.0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'set', name, value: 'a'.repeat(43) }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('ERR_NODETRUST_UNAUTHORIZED');
    const { stdout } = await run('dig', [
      `@${nt.dns.host}`,
      '-p',
      String(nt.dns.port),
      name,
      'TXT',
      '+short',
    ]);
    expect(stdout.trim()).toBe('');
  });

  it('a client whose proof servers all fail gets a typed error at once', async () => {
    const device = await newSigner();
    const started = Date.now();
    const err = await obtainCertificate({
      issueUrl: nt.issueUrl,
      identity: device,
      proofUrls: ['http://127.0.0.1:9'],
    }).catch((e: unknown) => e);
    expect(isDiscoError(err, 'ERR_NODETRUST_NO_PROOF_SERVER')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an expired proof', async () => {
    // A proof server whose clock is 10 minutes behind: its proofs are expired on arrival.
    const laggingKey = await newSigner();
    const lagging = await listen(
      createProofApp({ signer: laggingKey, now: () => Date.now() - 600_000 }),
      0,
    );
    const root = await listen(
      createIssueApp({
        audience: 'urn:test:issue',
        zone: ZONE,
        proofServers: [{ peer: laggingKey.peer.text, url: lagging.url }],
        issuer: {
          issue: () => Promise.reject(new Error('the CA must not be reached')),
        },
      }),
      0,
    );
    try {
      const device = await newSigner();
      const proof = await proofFrom(lagging.url, device);
      const request = await requestFor(device, [proof], [`${peerLabel(device.peer)}.${ZONE}`], {
        audience: 'urn:test:issue',
      });
      expect(await issue(request, root.url)).toMatchObject({
        status: 400,
        code: 'ERR_NODETRUST_PROOF_EXPIRED',
      });
    } finally {
      await lagging.close();
      await root.close();
    }
  });
});

describe('nodetrust, the CA and DNS failing', () => {
  it('pebble checks the TXT record on our DNS server: set elsewhere, the order fails, typed', async () => {
    // A second DNS server that pebble does not ask: the record lands there, pebble finds none.
    const elsewhere = await startDnsServer({ zone: ZONE });
    const api = await listen(
      createDns01App({
        zone: ZONE,
        token: 'other-token-0123456789',
        challenges: elsewhere.challenges,
      }),
      0,
    );
    const issuer = createAcmeIssuer({
      directoryUrl: nt.ca.directoryUrl,
      dns01: { url: api.url, token: 'other-token-0123456789' },
      pollMs: 100,
    });
    const keys = await generateCertificateKey('ecdsa-p256');
    const csr = await createCsr([`ip4127-0-0-2.${ZONE}`], keys, 'ecdsa-p256');
    const pem = new x509.Pkcs10CertificateRequest(Uint8Array.from(csr).buffer).toString('pem');
    try {
      const err = await issuer.issue(pem).catch((e: unknown) => e);
      expect(isDiscoError(err, 'ERR_NODETRUST_CA_FAILED')).toBe(true);
      const wrongToken = createAcmeIssuer({
        directoryUrl: nt.ca.directoryUrl,
        dns01: { url: nt.dns01Url, token: 'x'.repeat(20) },
      });
      const dnsErr = await wrongToken.issue(pem).catch((e: unknown) => e);
      expect(isDiscoError(dnsErr, 'ERR_NODETRUST_DNS_FAILED')).toBe(true);
    } finally {
      await elsewhere.close();
      await api.close();
    }
  });
});
