/**
 * The pure client flow over an in-memory fetch: a proof server and an issue server written with
 * the same pure functions the real ones use, so the flow's own decisions are tested without Node
 * servers (the real servers are covered by src/server/nodetrust/nodetrust.e2e.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { b64u } from '../encoding/index.js';
import { isDiscoError, toWire, DiscoError } from '../errors/index.js';
import { checkCoverage, coveredNames, verifyProofsFor } from './coverage.js';
import { createCsr, generateCertificateKey, readCsr } from './csr.js';
import { verifyIssueRequest } from './issue_request.js';
import { peerLabel } from './names.js';
import { obtainCertificate } from './obtain_certificate.js';
import { parsePeerId } from './peer_id.js';
import { verifyPossession } from './possession.js';
import { createProof } from './proof.js';
import type { Signer } from './signed_document.js';
import { newSigner } from './testing.js';
import type { FetchLike } from './wire.js';
import { x509 } from '../x509/lib/peculiar.js';

const caKeys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
  'sign',
  'verify',
]);

/** What a CA would send for `csrDer`; `tamper` makes it certify another key or other names. */
async function mint(
  csrDer: Uint8Array,
  names: readonly string[],
  tamper?: 'key' | 'names',
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(csrDer));
  const other = await generateCertificateKey('ecdsa-p256', { extractable: true });
  const sans = tamper === 'names' ? [...names, 'extra.example'] : names;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: 'CN=leaf',
    issuer: 'CN=Test CA',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    publicKey: tamper === 'key' ? other.publicKey : csr.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        sans.map((value) => ({ type: 'dns' as const, value })),
      ),
    ],
  });
  return cert.toString('pem');
}

const ZONE = 'nt.disco.test';
const ISSUE = 'https://issue.test';
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

interface World {
  fetch: FetchLike;
  calls: string[];
}

/** One issue server and proof servers; `proofPeer` lets a dishonest server prove another peer. */
function world(
  servers: Signer[],
  options: { algorithms?: string[]; proofPeer?: Signer; tamper?: 'key' | 'names' } = {},
): World {
  const calls: string[] = [];
  const challenges = new Map<string, Uint8Array>();
  const trusted = new Map(servers.map((s) => [s.peer.text, s.peer]));
  const fetchFn: FetchLike = async (url, init) => {
    calls.push(url);
    try {
      const body = init?.body ? (JSON.parse(init.body as string) as Record<string, string>) : {};
      if (url === `${ISSUE}/nodetrust/issue/info/1.0.0`) {
        return json(200, {
          audience: ISSUE,
          zone: ZONE,
          proofServers: servers.map((s, i) => ({
            peer: s.peer.text,
            url: `https://proof${i}.test`,
          })),
          algorithms: options.algorithms ?? ['ecdsa-p256'],
        });
      }
      const proof = /^https:\/\/proof(\d)\.test\/nodetrust\/proof\/1\.0\.0$/.exec(url);
      const server = servers[Number(proof?.[1])];
      if (proof && server) {
        const peer = parsePeerId(body.peer!);
        if (!body.challenge) {
          const challenge = crypto.getRandomValues(new Uint8Array(32));
          challenges.set(b64u.encode(challenge), challenge);
          return json(200, { server: server.peer.text, challenge: b64u.encode(challenge) });
        }
        const ok = await verifyPossession(
          peer,
          server.peer.text,
          challenges.get(body.challenge)!,
          body.signature!,
        );
        if (!ok) throw new DiscoError('ERR_NODETRUST_SIGNATURE_INVALID', 'bad');
        const token = await createProof(
          server,
          options.proofPeer?.peer ?? peer,
          ['192.0.2.1'],
          Date.now(),
        );
        return json(200, { server: server.peer.text, proof: token });
      }
      if (url === `${ISSUE}/nodetrust/issue/1.0.0`) {
        const request = await verifyIssueRequest(body.request, {
          audience: ISSUE,
          nowMs: Date.now(),
        });
        const proofs = await verifyProofsFor(request.peer, request.proofs, {
          trusted,
          nowMs: Date.now(),
        });
        const csr = await readCsr(request.csr, ['ecdsa-p256']);
        checkCoverage(csr.names, coveredNames(request.peer, proofs, ZONE));
        return json(200, {
          certificate: await mint(request.csr, csr.names, options.tamper),
          names: csr.names,
          algorithm: csr.algorithm,
        });
      }
      return json(404, { code: 'ERR_NOT_FOUND' });
    } catch (err) {
      const wire = toWire(err);
      return json(wire.status, wire.body);
    }
  };
  return { fetch: fetchFn, calls };
}

const makeCsr = async (names: readonly string[]) =>
  createCsr(names, await generateCertificateKey('ecdsa-p256'), 'ecdsa-p256');

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

describe('obtainCertificate (pure flow)', () => {
  it('info → proofs in parallel → signed request; asks for addresses only when told', async () => {
    const servers = [await newSigner(), await newSigner()];
    const device = await newSigner();
    const w = world(servers);
    const got = await obtainCertificate({
      issueUrl: ISSUE,
      identity: device,
      createCsr: makeCsr,
      fetch: w.fetch,
    });
    expect(got.names).toEqual([`${peerLabel(device.peer)}.${ZONE}`]);
    expect(got.proofServers).toHaveLength(2);
    const relay = await obtainCertificate({
      issueUrl: `${ISSUE}/`,
      identity: device,
      createCsr: makeCsr,
      fetch: w.fetch,
      includeAddresses: true,
    });
    expect(relay.names).toEqual([`${peerLabel(device.peer)}.${ZONE}`, `ip4192-0-2-1.${ZONE}`]);
  });

  it('drops a proof for another peer, and with none left says so', async () => {
    const device = await newSigner();
    const someoneElse = await newSigner();
    const w = world([await newSigner()], { proofPeer: someoneElse });
    expect(
      await codeOf(
        obtainCertificate({
          issueUrl: ISSUE,
          identity: device,
          createCsr: makeCsr,
          fetch: w.fetch,
        }),
      ),
    ).toBe('ERR_NODETRUST_NO_PROOF_SERVER');
    expect(w.calls.some((url) => url.endsWith('/nodetrust/issue/1.0.0'))).toBe(false);
  });

  it('stops before any proof server when no algorithm is shared', async () => {
    const w = world([await newSigner()], { algorithms: ['rsa-4096'] });
    const device = await newSigner();
    expect(
      await codeOf(
        obtainCertificate({
          issueUrl: ISSUE,
          identity: device,
          createCsr: makeCsr,
          fetch: w.fetch,
        }),
      ),
    ).toBe('ERR_NODETRUST_NO_ALGORITHM');
    expect(w.calls).toEqual([`${ISSUE}/nodetrust/issue/info/1.0.0`]);
  });

  it("turns the server's refusal into its code, and anything else into a transport error", async () => {
    const w = world([await newSigner()]);
    const device = await newSigner();
    const greedy = (names: readonly string[]) => makeCsr([...names, `ip4203-0-113-1.${ZONE}`]);
    expect(
      await codeOf(
        obtainCertificate({ issueUrl: ISSUE, identity: device, createCsr: greedy, fetch: w.fetch }),
      ),
    ).toBe('ERR_NODETRUST_NAME_NOT_COVERED');
    const html: FetchLike = () => Promise.resolve(new Response('<html>', { status: 502 }));
    expect(
      await codeOf(
        obtainCertificate({ issueUrl: ISSUE, identity: device, createCsr: makeCsr, fetch: html }),
      ),
    ).toBe('ERR_TRANSPORT_FAILED');
    const internal: FetchLike = () => Promise.resolve(json(500, { code: 'ERR_INTERNAL' }));
    expect(
      await codeOf(
        obtainCertificate({
          issueUrl: ISSUE,
          identity: device,
          createCsr: makeCsr,
          fetch: internal,
        }),
      ),
    ).toBe('ERR_TRANSPORT_FAILED');
    const down: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    expect(
      await codeOf(
        obtainCertificate({ issueUrl: ISSUE, identity: device, createCsr: makeCsr, fetch: down }),
      ),
    ).toBe('ERR_TRANSPORT_FAILED');
  });

  it('refuses a certificate for another key or for other names', async () => {
    const device = await newSigner();
    for (const tamper of ['key', 'names'] as const) {
      const w = world([await newSigner()], { tamper });
      expect(
        await codeOf(
          obtainCertificate({
            issueUrl: ISSUE,
            identity: device,
            createCsr: makeCsr,
            fetch: w.fetch,
          }),
        ),
        tamper,
      ).toBe('ERR_RESPONSE_UNTRUSTED');
    }
  });
});
