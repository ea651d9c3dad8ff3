import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import tls from 'node:tls';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { serveSdkSite, type SdkSite } from './sdk_page.js';
import { startStack, type Stack } from './stack.js';

/**
 * Issue #10, "the relay gets one and a browser connects to it over HTTPS with pebble's root
 * trusted": `npm start`'s relay HTTPS front (src/start/relay_https.ts, the same TLS front as
 * `npm run relay -- --nodetrust`), with a certificate pebble issued for
 * `ip4127-0-0-1.nodetrust.disco.test`; that URL is the relay's public URL, so the device app
 * registers over WSS and HTTPS, checks the relay's signed record in Settings, and a company's
 * page (the bundled SDK) pairs and registers and gets key A through the relay's HTTPS tunnel.
 * Chromium resolves the zone to 127.0.0.1 (`--host-resolver-rules`) and trusts this certificate
 * only for this test (`--ignore-certificate-errors-spki-list` with its key's SPKI hash); a browser
 * without that flag refuses it.
 */
const ZONE = 'nodetrust.disco.test';
let stack: Stack;
let site: SdkSite;
let front: { url: string; port: number; root: string };

const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const tlsPort = await freePort();
  const url = `https://ip4127-0-0-1.${ZONE}:${tlsPort}`;
  stack = await startStack({ DISCO_RELAY_PUBLIC_URL: url, DISCO_RELAY_TLS_PORT: String(tlsPort) });
  // `npm start` says it is running before the front has its certificate; its line follows.
  const frontLine = /Relay \(HTTPS\) +(\S+) +certificate by (.+)|Relay \(HTTPS\) +none/;
  await expect.poll(() => frontLine.test(stack.output()), { timeout: 60_000 }).toBe(true);
  const out = stack.output();
  const line = /Relay \(HTTPS\) +(\S+) +certificate by (.+)/.exec(out);
  if (line?.[1] !== url) throw new Error(`no relay HTTPS front in the stack:\n${out}`);
  const rootFile = /root in (\S+)\)/.exec(out)?.[1];
  if (!rootFile) throw new Error(`no pebble root in the stack:\n${out}`);
  front = { url, port: tlsPort, root: await readFile(rootFile, 'utf8') };
  site = await serveSdkSite();
});
test.afterAll(async () => {
  await site?.close();
  await stack?.stop();
});

/** The front's leaf certificate, from a TLS handshake on 127.0.0.1 that trusts pebble's root only. */
function frontCertificate(): Promise<tls.DetailedPeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port: front.port,
        servername: new URL(front.url).hostname,
        ca: front.root,
      },
      () => {
        resolve(socket.getPeerCertificate(true));
        socket.destroy();
      },
    );
    socket.once('error', reject);
  });
}

/** Base64 SHA-256 of the leaf's SubjectPublicKeyInfo: what Chromium's SPKI list names. */
function spkiHash(leafDer: Buffer): string {
  const spki = new X509Certificate(leafDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const launch = (...extra: string[]) =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP *.${ZONE} 127.0.0.1`, ...extra],
  });

/** A company's page on its own origin, with the bundled SDK (window.DiscoSdk). */
async function openShop(browser: Browser): Promise<Page> {
  const shop = await (await browser.newContext()).newPage();
  await shop.goto(site.url);
  return shop;
}

test('the device app and a company reach the relay over HTTPS with its nodetrust certificate', async () => {
  test.setTimeout(180_000);
  expect(front.url).toBe(new URL(front.url).origin);
  expect(front.url).toMatch(
    new RegExp(`^https://ip4127-0-0-1\\.${ZONE.replaceAll('.', '\\.')}:\\d+$`),
  );

  // Without the flag, pebble's certificate is refused like any unknown CA's.
  const untrusting = await launch();
  try {
    const refused = await (
      await openShop(untrusting)
    ).evaluate(
      (url) =>
        fetch(`${url}/healthz`).then(
          () => 'fetched',
          (e: unknown) => `refused: ${String(e)}`,
        ),
      front.url,
    );
    expect(refused).toMatch(/^refused: TypeError/);
  } finally {
    await untrusting.close();
  }

  const leaf = await frontCertificate();
  expect(leaf.subjectaltname).toContain(`DNS:ip4127-0-0-1.${ZONE}`);
  expect(leaf.issuer.CN).toMatch(/^Pebble Intermediate CA/);
  const names = (leaf.subjectaltname ?? '').split(', ').map((n) => n.replace(/^DNS:/, ''));
  const browser = await launch(`--ignore-certificate-errors-spki-list=${spkiHash(leaf.raw)}`);
  try {
    const device = await (await browser.newContext()).newPage();
    const sockets: string[] = [];
    device.on('websocket', (ws) => sockets.push(ws.url()));
    await createDevice(device, undefined, `${stack.app}/`);
    const config = await device.evaluate(() =>
      fetch('/app-config.json').then((r) => r.json() as Promise<{ relayUrl: string }>),
    );
    expect(config.relayUrl).toBe(front.url);
    await addField(device, 'Postal address', {
      'Street and number': '4 Privet Drive',
      'City or town': 'Little Whinging',
      Country: 'UK',
    });
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 30_000 });
    // the device's signalling socket goes through the TLS front
    expect(sockets.some((u) => u.startsWith(front.url.replace('https:', 'wss:')))).toBe(true);

    // Settings checks the relay's signed record (GET /.well-known/disco-relay) for this URL
    await device.getByRole('link', { name: 'Settings' }).click();
    await expect(device.getByTestId('relay-record')).toContainText(
      `Relay: ip4127-0-0-1.${ZONE}, record signed by the relay, checked`,
      { timeout: 30_000 },
    );
    await expect(device.getByTestId('relay-record-warning')).toHaveCount(0);

    const shop = await openShop(browser);
    const seen: { url: string; issuer: string | undefined; subject: string | undefined }[] = [];
    shop.on('response', (r) => {
      if (!r.url().startsWith(front.url)) return;
      void r
        .securityDetails()
        .then((d) => seen.push({ url: r.url(), issuer: d?.issuer, subject: d?.subjectName }));
    });
    const { uid, proxyUrl } = await shop.evaluate(async (relay) => {
      const S = window.DiscoSdk;
      const me = await S.createClientIdentity({
        name: 'TLS Shop',
        clock: { now: () => Date.now() },
      });
      const pairing = await S.startPairing(relay, me);
      const paired = pairing.wait();
      window.rp = { me, pairing, paired };
      return { uid: pairing.uid, proxyUrl: `${relay}/p/` };
    }, front.url);
    await device.getByRole('link', { name: 'Connect', exact: true }).click();
    await device.getByLabel('Pairing code').fill(uid);
    await device.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(device.getByRole('heading', { name: 'Paired with TLS Shop' })).toBeVisible();

    // The company registers and asks for key A through the relay's tunnel, over HTTPS.
    const started = await shop.evaluate(async () => {
      const S = window.DiscoSdk;
      const rp = window.rp as {
        me: Awaited<ReturnType<typeof S.createClientIdentity>>;
        pairing: Awaited<ReturnType<typeof S.startPairing>>;
        paired: ReturnType<Awaited<ReturnType<typeof S.startPairing>>['wait']>;
        outcome?: Promise<unknown>;
      };
      const { paired, device } = await rp.paired;
      const client = new S.DiscoClient({
        clientId: 'tls-shop',
        clientName: 'TLS Shop',
        clientSecret: 'tls-shop-secret-'.padEnd(48, '0'),
        isTrusted: false,
        identity: rp.me,
        device,
        transport: S.fetchTransport(paired.proxy_url),
      });
      rp.outcome = client
        .register(rp.pairing.challenge)
        .then(() => client.requestKeyA(['address']))
        .then(
          (key) => ({ ok: typeof key.key_a === 'string' }),
          (e: unknown) => ({ code: e instanceof S.DiscoError ? e.code : String(e) }),
        );
      return { proxyUrl: paired.proxy_url };
    });
    expect(started.proxyUrl.startsWith(proxyUrl)).toBe(true);
    await approveRequest(device, 'TLS Shop'); // register
    await approveRequest(device, 'TLS Shop'); // key A
    const outcome = await shop.evaluate(
      () => window.rp.outcome as Promise<{ ok?: boolean; code?: string }>,
    );
    expect(outcome).toEqual({ ok: true });

    // every answer the company got from the relay came over TLS with pebble's certificate
    await expect.poll(() => seen.length).toBeGreaterThan(2);
    for (const s of seen) {
      expect(names).toContain(s.subject); // the certificate's first name: the p name
      expect(s.issuer).toMatch(/^Pebble Intermediate CA/);
    }
  } finally {
    await browser.close();
  }
});
