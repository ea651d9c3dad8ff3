import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PebbleOptions {
  /** Where pebble's VA resolves names: our DNS server, `127.0.0.1:<port>`. */
  readonly dnsServer: string;
  /** The pebble binary (Debian's `pebble` package). */
  readonly binary?: string;
  /** Extra environment, e.g. `{ PEBBLE_WFE_NONCEREJECT: '0' }`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export interface Pebble {
  /** The ACME directory URL (https, 127.0.0.1). */
  readonly directoryUrl: string;
  /** PEM of the certificate pebble serves its API with: trust it to talk ACME to pebble. */
  readonly tlsCertificate: string;
  /** PEM of the root that signs the certificates pebble issues (new at every start). */
  readonly rootCertificate: () => Promise<string>;
  readonly stop: () => Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked: pebble binds it moments later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpsGet(
  url: string,
  ca: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts Debian's pebble (Let's Encrypt's ACME test CA) on 127.0.0.1 with free ports, for tests
 * and for `npm start`. Debian ships it without certificates, so a TLS certificate for 127.0.0.1
 * is made with openssl in a temporary directory, removed again by `stop`. The VA's sleep is off
 * (PEBBLE_VA_NOSLEEP=1) and its resolver is `dnsServer`. Pebble still rejects about 5% of nonces
 * on purpose: ACME clients must retry `badNonce` (acme-client does).
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'disco-pebble-'));
  let child: ChildProcess | undefined;
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=pebble test API',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const [listen, management, httpPort, tlsPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const config = join(dir, 'pebble-config.json');
    await writeFile(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${listen}`,
          managementListenAddress: `127.0.0.1:${management}`,
          certificate: cert,
          privateKey: key,
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    const tlsCertificate = await readFile(cert, 'utf8');
    let output = '';
    child = spawn(
      options.binary ?? 'pebble',
      ['-config', config, '-dnsserver', options.dnsServer],
      {
        env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err; // ENOENT: the pebble package is not installed
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const directoryUrl = `https://127.0.0.1:${listen}/dir`;
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      if (spawnError) {
        throw new Error(`cannot run pebble (Debian package "pebble": apt-get install -y pebble)`, {
          cause: spawnError,
        });
      }
      if (child.exitCode !== null) throw new Error(`pebble exited: ${output}`);
      const ready = await httpsGet(directoryUrl, tlsCertificate).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`pebble did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      directoryUrl,
      tlsCertificate,
      rootCertificate: async () => {
        const res = await httpsGet(`https://127.0.0.1:${management}/roots/0`, tlsCertificate);
        if (res.status !== 200) throw new Error(`pebble /roots/0 answered ${res.status}`);
        return res.body;
      },
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
