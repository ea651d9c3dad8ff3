import type { IdbStore } from '../../browser/idb_store.js';
import { b64u, bytes } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import { KEYS } from '../../protocol/identity/identity.js';
import { loadDevice } from '../../protocol/identity/index.js';
import {
  derToBase64,
  signPairingTranscript,
  type DeviceCertificatePresentation,
} from '../../protocol/nodetrust/pairing_transcript.js';

/**
 * Kept with the device's keys: that collection is never backed up (backup/collections.ts), which
 * is right for a certificate whose private key cannot leave this browser.
 */
const RECORD = { collection: KEYS.collection, key: 'device_certificate' } as const;
/** After a failed renewal, try again this much later (while the old one is still valid). */
const RETRY_MS = 60 * 60_000;

/** The device certificate as stored in IndexedDB (docs/wire/nodetrust.md, "The device app"). */
export interface StoredDeviceCertificate {
  /** P-256, made here; the private key is non-extractable. */
  readonly keys: CryptoKeyPair;
  /** Leaf first, base64 DER: what pairing presents. */
  readonly chain: readonly string[];
  readonly name: string;
  readonly issuer: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** The identity it names: a restored or new identity makes it useless. */
  readonly deviceId: string;
}

interface NodetrustSettings {
  readonly issueUrl: string;
  readonly proofUrls: readonly string[];
}

/**
 * When to renew: once two thirds of the lifetime have passed (what Let's Encrypt advises its
 * clients), so a 90-day certificate is renewed with 30 days left.
 */
export function renewAt(c: { notBefore: number; notAfter: number }): number {
  return c.notAfter - (c.notAfter - c.notBefore) / 3;
}

async function load(store: IdbStore): Promise<StoredDeviceCertificate | undefined> {
  const [record, device] = await Promise.all([
    store.get<StoredDeviceCertificate>(RECORD.collection, RECORD.key),
    loadDevice(store),
  ]);
  return record && device && record.deviceId === device.identity.deviceId ? record : undefined;
}

/**
 * What `POST /uid` carries for a certified device (docs/wire/relay.md): the chain and the
 * certificate key's signature of the pairing transcript; undefined without a valid certificate.
 */
export async function certificatePresentation(
  store: IdbStore,
  uid: string,
  deviceId: string,
): Promise<DeviceCertificatePresentation | undefined> {
  const record = await load(store);
  if (!record || record.deviceId !== deviceId || record.notAfter <= Date.now()) return undefined;
  return {
    certificate_chain: record.chain,
    certificate_signature: await signPairingTranscript(record.keys.privateKey, uid, deviceId),
  };
}

/** Where the app gets its certificate from: `/app-config.json` `nodetrust`, if deployed with it. */
async function settings(): Promise<NodetrustSettings | undefined> {
  try {
    const res = await fetch('/app-config.json', { cache: 'no-store' });
    const { nodetrust } = (await res.json()) as { nodetrust?: Partial<NodetrustSettings> | null };
    if (typeof nodetrust?.issueUrl !== 'string') return undefined;
    const proofUrls = Array.isArray(nodetrust.proofUrls)
      ? nodetrust.proofUrls.filter((u): u is string => typeof u === 'string')
      : [];
    return { issueUrl: nodetrust.issueUrl, proofUrls };
  } catch {
    return undefined;
  }
}

/**
 * The device certificate (issue #10): a CA-signed certificate for this device's `p<peer id>` name,
 * obtained through nodetrust with the pure client flow (`obtainCertificate`: info, proofs from
 * every proof server in parallel, issue), its P-256 key made here and never exported. Renewed
 * automatically at `renewAt` while the app is open. The nodetrust and X.509 code is loaded only
 * when a certificate is asked for.
 */
export class DeviceCertificate {
  status = $state<'loading' | 'unavailable' | 'none' | 'getting' | 'ready'>('loading');
  certificate = $state<{ name: string; issuer: string; notAfter: number } | null>(null);
  error = $state('');
  #store: IdbStore | undefined;
  #settings: NodetrustSettings | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #starting: Promise<void> | undefined;

  /** Reads the stored certificate and the deployment's nodetrust servers; idempotent. */
  start(store: IdbStore): Promise<void> {
    // the relay bridge and the Settings page both start it: the same database either way
    if (this.#starting) return this.#starting;
    this.#store = store;
    this.#starting = (async () => {
      const [record, found] = await Promise.all([load(store), settings()]);
      this.#settings = found;
      this.#show(record);
    })();
    return this.#starting;
  }

  #show(record: StoredDeviceCertificate | undefined): void {
    clearTimeout(this.#timer);
    this.certificate = record
      ? { name: record.name, issuer: record.issuer, notAfter: record.notAfter }
      : null;
    this.status = record ? 'ready' : this.#settings ? 'none' : 'unavailable';
    if (record && this.#settings) this.#schedule(renewAt(record) - Date.now());
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        void this.get().catch(() => {
          if (this.certificate && this.certificate.notAfter > Date.now()) this.#schedule(RETRY_MS);
        });
      },
      Math.min(Math.max(0, delay), 2 ** 31 - 1),
    );
  }

  /** Gets (or renews) the certificate; the old one stays until the new one is stored. */
  async get(): Promise<void> {
    const store = this.#store;
    const config = this.#settings;
    if (!store) throw new DiscoError('ERR_IDENTITY_MISSING', 'Set up this device first.');
    if (!config)
      throw new DiscoError('ERR_INVALID_INPUT', 'This app was deployed without nodetrust.');
    if (this.status === 'getting') return;
    const before = this.status;
    this.status = 'getting';
    this.error = '';
    try {
      const record = await obtain(store, config);
      await store.write([
        { op: 'put', collection: RECORD.collection, key: RECORD.key, value: record },
      ]);
      this.#show(record);
    } catch (err) {
      this.status = before;
      this.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async remove(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#store?.write([{ op: 'delete', collection: RECORD.collection, key: RECORD.key }]);
    this.error = '';
    this.#show(undefined);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** One per app: the renewal timer outlives the Settings page. */
export const deviceCertificate = new DeviceCertificate();

/** The client flow with this device's keys (docs/wire/nodetrust.md "Client flow"). */
async function obtain(
  store: IdbStore,
  config: NodetrustSettings,
): Promise<StoredDeviceCertificate> {
  const device = await loadDevice(store);
  if (!device) throw new DiscoError('ERR_IDENTITY_MISSING', 'Set up this device first.');
  const [nt, { parseCertificateChain }] = await Promise.all([
    import('../../protocol/nodetrust/index.js'),
    import('../../protocol/x509/index.js'),
  ]);
  const signing = device.keys.signing;
  const identity = {
    peer: nt.peerIdOfEd25519(b64u.decode(device.identity.signingJwk.x ?? '')),
    sign: async (message: Uint8Array) =>
      new Uint8Array(await crypto.subtle.sign('Ed25519', signing, bytes(message))),
  };
  let keys: CryptoKeyPair | undefined;
  const result = await nt.obtainCertificate({
    issueUrl: config.issueUrl,
    ...(config.proofUrls.length > 0 ? { proofUrls: config.proofUrls } : {}),
    identity,
    algorithms: ['ecdsa-p256'],
    createCsr: async (names, algorithm) => {
      keys = await nt.generateCertificateKey(algorithm); // non-extractable
      return nt.createCsr(names, keys, algorithm);
    },
    fetch: (input, init) => fetch(input, init),
  });
  const chain = await parseCertificateChain(result.certificate);
  const leaf = chain[0];
  if (!leaf || !keys) throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'No certificate came back.');
  return {
    keys,
    chain: chain.map((c) => derToBase64(c.der)),
    name: result.names[0] ?? leaf.subjectCommonName ?? leaf.subject,
    issuer: leaf.issuerCommonName ?? leaf.issuer,
    notBefore: leaf.notBefore.getTime(),
    notAfter: leaf.notAfter.getTime(),
    deviceId: device.identity.deviceId,
  };
}
