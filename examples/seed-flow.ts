/**
 * The whole seed flow as an integrator writes it, against a running Disco (`npm start`):
 *
 *   npm run build:sdk && npx tsx examples/seed-flow.ts [relay URL, default http://127.0.0.1:8711]
 *
 * Two companies: a shop (not trusted: it may never see the address) pairs with the person's
 * device and gets key A, then a one-time key B for its delivery partner; the partner (trusted,
 * with its own identity, never paired) exchanges key B for the address. The person approves each
 * step in the device app. Everything it imports is the published SDK, `disco/sdk`.
 */
import {
  createClientIdentity,
  DiscoClient,
  fetchDeviceInfo,
  fetchTransport,
  isDiscoError,
  startPairing,
} from 'disco/sdk';

const relayUrl = process.argv[2] ?? 'http://127.0.0.1:8711';
const clock = { now: () => Date.now() };
/** A client secret: at least 32 random characters, kept by the company. */
const newSecret = () => crypto.randomUUID() + crypto.randomUUID();
const waiting = (what: string) => ({
  onPending: () => console.log(`… waiting for the person to approve ${what}`),
});

// ── The shop ────────────────────────────────────────────────────────────────────────────────
// Its key pair and a self-signed certificate (production: one from an authority). Keep
// `identity.pkcs8` and `identity.certificatePem` to use the same identity next time
// (importClientIdentity).
const shopIdentity = await createClientIdentity({ name: 'Example Shop', clock });

// 1. Pairing: the relay gives a code for the person to type (or `pairing.qr` to show as a QR code).
const pairing = await startPairing(relayUrl, shopIdentity);
console.log(`PAIRING CODE ${pairing.uid}`);
// 2. The person typed it: the device's keys are now pinned. `paired` says where the device is.
const { paired, device, transport } = await pairing.wait();

const shop = new DiscoClient({
  clientId: 'example-shop',
  clientName: 'Example Shop',
  clientSecret: newSecret(),
  isTrusted: false,
  identity: shopIdentity,
  device,
  transport,
});
// 3. Register (proves it is the company that paired), then key A: permission to ask later.
await shop.register(pairing.challenge, waiting('the shop connecting'));
const { key_a } = await shop.requestKeyA(['address'], waiting('key A'));

// ── The delivery partner ───────────────────────────────────────────────────────────────────
const partnerIdentity = await createClientIdentity({ name: 'Example Courier', clock });
const partner = { clientId: 'example-courier', thumbprint: partnerIdentity.thumbprint };

// 4. The shop asks a one-time key B for exactly this partner (its id and certificate).
const { key_b } = await shop.requestKeyB(key_a, partner, ['address'], waiting('key B'));

// 5. What the shop hands the partner (over its own API): nothing about the person.
const handoff = { key_b, proxy_url: paired.proxy_url, device_id: paired.device_id };

// 6. The partner reaches the device through the relay and pins it by the id the shop gave.
const partnerTransport = fetchTransport(handoff.proxy_url);
const partnerDevice = await fetchDeviceInfo(partnerTransport);
if (partnerDevice.deviceId !== handoff.device_id) throw new Error('Not the device the shop named.');
const courier = new DiscoClient({
  clientId: partner.clientId,
  clientName: 'Example Courier',
  clientSecret: newSecret(),
  isTrusted: true,
  identity: partnerIdentity,
  device: partnerDevice,
  transport: partnerTransport,
});
// 7. Register as a trusted partner (no pairing), then exchange key B for the address.
try {
  await courier.register(undefined, waiting('the courier connecting'));
} catch (err) {
  if (!isDiscoError(err, 'ERR_CLIENT_EXISTS')) throw err; // registered on an earlier run
}
const { fields } = await courier.exchangeKeyB(handoff.key_b, waiting('the release'));
console.log(`ADDRESS ${JSON.stringify(fields.address)}`);
