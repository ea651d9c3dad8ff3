import { systemClock, systemRandom } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import type { Capability, CertificateRequest } from '../../protocol/certificates/index.js';
import type {
  CapabilityRequestRecord,
  IssuedCertificateRecord,
  PublishOutcome,
} from '../../protocol/certificates/device/index.js';
import { entryText } from './format.js';
import { explain, type Device } from './device.svelte.js';

/** A waiting request as the card shows it: the record and the request parsed from it. */
export interface CapabilityRequestView {
  record: CapabilityRequestRecord;
  request: CertificateRequest;
}

/** An issued certificate as Connections shows it. */
export interface IssuedView {
  record: IssuedCertificateRecord;
  capabilities: readonly Capability[];
}

// The capability core (CBOR, globs, signing) is its own chunk, loaded when first needed: the
// first paint stays small (issue #13).
const core = () => import('../../protocol/certificates/index.js');
const deviceOps = () => import('../../protocol/certificates/device/index.js');

/**
 * The device's side of capability certificates (issue #8, docs/wire/certificates.md): requests opened
 * from a link or a scan, waiting in Requests; the certificates this device issued, in
 * Connections. Every change goes through src/protocol/certificates/device (one write each).
 */
export class Capabilities {
  #device: Device;
  #relayUrl: () => string | undefined;
  /** Activity is read by Consent from the same store: told after each issue or revocation. */
  #onChange: () => void = () => undefined;
  requests = $state<CapabilityRequestView[]>([]);
  issued = $state<IssuedView[]>([]);
  loaded = $state(false);
  failure = $state('');
  now = $state(Date.now());

  /** Requests not yet run out, oldest first. */
  waiting = $derived(
    this.requests
      .filter((r) => r.record.expiresAt > this.now)
      .sort((a, b) => a.record.receivedAt - b.record.receivedAt),
  );

  constructor(device: Device, relayUrl: () => string | undefined) {
    this.#device = device;
    this.#relayUrl = relayUrl;
  }

  async reload(): Promise<void> {
    const [{ parseRequest, parseCertificate }, ops] = await Promise.all([core(), deviceOps()]);
    const { b64u } = await import('../../protocol/encoding/index.js');
    const store = this.#device.store;
    this.now = Date.now();
    const records = await store.list<CapabilityRequestRecord>(ops.CAP_COLLECTIONS.requests);
    const requests: CapabilityRequestView[] = [];
    for (const { value } of records) {
      // A request that no longer parses (run out) is simply not shown.
      const request = await parseRequest(value.bytes, { now: this.now }).catch(() => undefined);
      if (request) requests.push({ record: value, request });
    }
    const issued: IssuedView[] = [];
    for (const record of await ops.listIssuedCertificates({ store })) {
      const parsed = await parseCertificate(b64u.decode(record.certificate)).catch(() => undefined);
      if (parsed) issued.push({ record, capabilities: parsed.capabilities });
    }
    this.requests = requests;
    this.issued = issued;
    this.loaded = true;
  }

  /** Opens a request from a link or scanned text; resolves with its id. */
  async open(link: string): Promise<string> {
    const ops = await deviceOps();
    const { record } = await ops.acceptCapabilityRequest(link, {
      store: this.#device.store,
      clock: systemClock,
      fetchBytes,
    });
    await this.reload();
    return record.id;
  }

  /**
   * The app's icon as a blob: URL (the CSP lets images come only from this origin, data: and
   * blob:): fetched from the app's own origin (parseRequest checked it is the same as `url`),
   * without credentials, at most 64 KiB, and only if it says it is an image. The caller revokes
   * the URL.
   */
  async icon(url: string): Promise<string | undefined> {
    const res = await fetch(url, {
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
    }).catch(() => undefined);
    if (!res?.ok || !/^image\//.test(res.headers.get('content-type') ?? '')) return undefined;
    const blob = await res.blob();
    return blob.size <= 64 * 1024 ? URL.createObjectURL(blob) : undefined;
  }

  /** The value this device holds for a profile field, if any (the vault entry of that kind). */
  valueOf(field: string): string | undefined {
    const entry = this.#device.vault.find((e) => e.kind === field);
    return entry ? entryText(entry).slice(0, 256) : undefined;
  }

  /**
   * Signs the certificate with the person's choices; resolves with the URL that hands it back
   * to the app (its return path), if the request has one.
   */
  async approve(
    id: string,
    choices: { lifetime: number; fields: readonly string[] },
  ): Promise<{ returnUrl?: string; certificate: string }> {
    const ops = await deviceOps();
    const store = this.#device.store;
    const profile: Record<string, string> = {};
    for (const f of choices.fields) {
      const value = this.valueOf(f);
      if (value !== undefined) profile[f] = value;
    }
    const out = await ops.approveCapabilityRequest(
      id,
      { lifetime: choices.lifetime, profile },
      {
        store,
        clock: systemClock,
        random: systemRandom,
        device: await ops.deviceSigner(store),
        ...(await this.#revocationUrl()),
      },
    );
    // A new certificate for an app whose certificates were all revoked: the list changed too.
    if (out.revocationsChanged) await this.#publishRevocations(false).catch(() => undefined);
    await this.reload();
    this.#onChange();
    const { b64u } = await import('../../protocol/encoding/index.js');
    const certificate = b64u.encode(out.certificate.bytes);
    return out.returnUrl === undefined
      ? { certificate }
      : { returnUrl: out.returnUrl, certificate };
  }

  async refuse(id: string): Promise<void> {
    await (await deviceOps()).refuseCapabilityRequest(id, { store: this.#device.store });
    await this.reload();
  }

  async revoke(certificateId: string): Promise<void> {
    const ops = await deviceOps();
    await ops.revokeCapabilityCertificate(certificateId, {
      store: this.#device.store,
      clock: systemClock,
      random: systemRandom,
    });
    await this.#revoked();
  }

  /**
   * Revokes every certificate this device gave the app whose key is `subject` (base64url), and
   * what it delegated onward (docs/wire/certificates.md "Revocation list", `subs`), then
   * publishes the list as `revoke` does.
   */
  async revokeApp(subject: string): Promise<void> {
    const ops = await deviceOps();
    await ops.revokeCapabilitySubject(subject, {
      store: this.#device.store,
      clock: systemClock,
      random: systemRandom,
    });
    await this.#revoked();
  }

  /** After a revocation: the list to the relay, the views read again. */
  async #revoked(): Promise<void> {
    // A failed publication is not the person's problem: the relay asks the device for its list
    // through the tunnel once its copy is a minute old.
    await this.#publishRevocations(false).catch(() => undefined);
    await this.reload();
    this.#onChange();
  }

  /**
   * Called when the device comes online on the relay and after a backup is restored: publishes
   * the list if the relay's copy is missing or older, or adopts the relay's newer list (a backup
   * taken before the last revocation) and publishes that (docs/wire/certificates.md "Publishing").
   */
  async syncRevocations(): Promise<void> {
    const outcome = await this.#publishRevocations(true).catch(() => undefined);
    if (outcome === 'adopted') {
      await this.reload();
      this.#onChange();
    }
  }

  /**
   * Publishes the list to the relay's cache (`PUT <relay>/capability/revocations/<peer id>`,
   * docs/wire/certificates.md "The relay's cache of lists"), so verifiers see the revocation at once,
   * even if this device goes offline next. The signed list is its own authentication.
   */
  async #publishRevocations(askFirst: boolean): Promise<PublishOutcome | undefined> {
    const relay = this.#relayUrl();
    const deviceId = this.#device.identity?.deviceId;
    if (!relay || !deviceId) return undefined;
    const [ops, { relayRevocationsUrl }, { peerIdOf }] = await Promise.all([
      deviceOps(),
      core(),
      import('../../protocol/tunnel/peer_id.js'),
    ]);
    const store = this.#device.store;
    const url = relayRevocationsUrl(relay, peerIdOf(deviceId));
    return ops.publishDeviceRevocations(
      {
        store,
        clock: systemClock,
        device: await ops.deviceSigner(store),
        relay: ops.relayRevocationCache(url, (u, init) => fetch(u, init)),
      },
      { askFirst },
    );
  }

  /**
   * Opens the request of a link into the device app, `#/capability?request_uri=…&request_hash=…`
   * or `#/capability?request=…` (the notes demo's link; Scan sends scanned requests here too),
   * then shows it in Requests. Returns the function that stops listening.
   */
  watchLinks(onChange: () => void): () => void {
    this.#onChange = onChange;
    const take = () => {
      const match = /^#\/capability\?(.*)$/.exec(location.hash);
      if (!match) return;
      location.hash = '#/inbox';
      this.failure = '';
      this.open(`?${match[1] ?? ''}`).catch((err: unknown) => (this.failure = explain(err)));
    };
    void this.#takeProtocolLink();
    take();
    addEventListener('hashchange', take);
    return () => removeEventListener('hashchange', take);
  }

  /**
   * The manifest's protocol handler route, `/?disco_link=<escaped web+disco: URL>` (any page can
   * launch one): checked strictly by protocolLinkFromQuery, then opened in Requests like a link.
   * A link that does not pass shows its error there and nothing is stored.
   */
  async #takeProtocolLink(): Promise<void> {
    const search = location.search;
    if (!new URLSearchParams(search).has('disco_link')) return;
    history.replaceState(null, '', '/#/inbox');
    dispatchEvent(new HashChangeEvent('hashchange'));
    this.failure = '';
    try {
      const { protocolLinkFromQuery } = await core();
      await this.open(protocolLinkFromQuery(search).link);
    } catch (err) {
      this.failure = explain(err);
    }
  }

  /** `<relay>/p/<peer id>/disco/capability/revocations`: where verifiers ask for the list. */
  async #revocationUrl(): Promise<{ revocationUrl?: string }> {
    const relay = this.#relayUrl();
    const deviceId = this.#device.identity?.deviceId;
    if (!relay || !deviceId) return {};
    const { peerIdOf } = await import('../../protocol/tunnel/peer_id.js');
    return { revocationUrl: `${relay}/p/${peerIdOf(deviceId)}/disco/capability/revocations` };
  }
}

/** The request document from the app's origin: no credentials, no referrer, size-capped. */
async function fetchBytes(url: string, maxBytes: number): Promise<Uint8Array> {
  const res = await fetch(url, {
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    redirect: 'error',
  }).catch((cause: unknown) => {
    throw new DiscoError('ERR_TRANSPORT_FAILED', 'The app that asks cannot be reached.', {
      cause,
    });
  });
  if (!res.ok) throw new DiscoError('ERR_TRANSPORT_FAILED', `The app answered ${res.status}.`);
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes)
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'The app sent a request too large to be one.');
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > maxBytes)
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'The app sent a request too large to be one.');
  return body;
}
