import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../protocol/encoding/index.js';
import { importCertificateKey, parseCertificate } from '../../protocol/x509/index.js';
import {
  createClientIdentity,
  fingerprintOf,
  importClientIdentity,
  type ClientIdentity,
} from '../../sdk/index.js';
import type { Logger } from './http.js';

/** A demo company's lasting identity: what the device pins when the company registers. */
export interface DemoIdentity {
  identity: ClientIdentity;
  clientSecret: string;
  /** `x5t#S256` of the certificate. */
  thumbprint: string;
  /** What people compare: `fingerprintOf(thumbprint)`, 8 groups of 4. */
  fingerprint: string;
  /** True when this start made the key and certificate (first run, or a renewal). */
  created: boolean;
}

export const FILES = {
  key: 'key.pem',
  certificate: 'certificate.pem',
  secret: 'client-secret',
} as const;

/** Long enough not to expire during a demo's life; renewed when it has. */
const CERT_DAYS = 825;

function pkcs8Pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes beside, then renames: a crash leaves the old file or the new one, never half of one. */
async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
  await rename(tmp, path);
}

/** Signs with the key and verifies with the certificate: the two files belong together. */
async function checkPair(identity: ClientIdentity): Promise<void> {
  const cert = await parseCertificate(identity.certificatePem);
  const verifyKey = await importCertificateKey(cert, 'verify');
  const data = randomBytes(32);
  const params =
    identity.alg === 'ES256'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : { name: 'RSA-PSS', saltLength: 32 };
  const sig = await crypto.subtle.sign(params, identity.signKey, data);
  if (!(await crypto.subtle.verify(params, verifyKey, sig, data))) {
    throw new Error('the private key does not belong to the certificate');
  }
}

/**
 * Loads the demo company's key, certificate and client secret from `dir` (`.cache/demo/<name>/`),
 * making them on the first run: a P-256 key (PKCS#8 PEM, mode 0600), a self-signed client
 * certificate, and a random secret. Later runs re-import the same certificate, so a device keeps
 * recognising the company. A certificate that has expired is replaced (devices then ask again).
 * Damaged files stop the start with a message that says which file: silently replacing them
 * would make every paired device refuse the company. Half a pair (one file missing) is remade.
 */
export async function loadOrCreateIdentity(opts: {
  dir: string;
  name: string;
  clock?: Clock;
  log?: Logger;
}): Promise<DemoIdentity> {
  const { dir, name } = opts;
  const clock = opts.clock ?? { now: () => Date.now() };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, FILES.key);
  const certPath = join(dir, FILES.certificate);
  const secretPath = join(dir, FILES.secret);

  let secret = (await readOptional(secretPath))?.trim();
  if (secret !== undefined && !/^[A-Za-z0-9_-]{43,512}$/.test(secret)) {
    throw new Error(`${secretPath} is damaged: delete ${dir} to start this demo afresh.`);
  }
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url');
    await writeAtomic(secretPath, `${secret}\n`);
  }

  const keyPem = await readOptional(keyPath);
  const certPem = await readOptional(certPath);
  if ((keyPem === undefined) !== (certPem === undefined)) {
    // Half of a pair (a crash between the two writes, or a file deleted by hand) cannot be used.
    const missing = keyPem === undefined ? FILES.key : FILES.certificate;
    opts.log?.error(`${name}: ${missing} is missing in ${dir}; making a new key and certificate.`);
  }

  if (keyPem !== undefined && certPem !== undefined) {
    let identity: ClientIdentity;
    let cert;
    try {
      cert = await parseCertificate(certPem);
      const kind = cert.publicKey.type === 'RSA' ? 'RSA' : 'P-256';
      identity = await importClientIdentity(certPem, keyPem, kind);
      await checkPair(identity);
    } catch (cause) {
      throw new Error(
        `The key or certificate in ${dir} is damaged (${cause instanceof Error ? cause.message : 'unreadable'}): delete the directory to start this demo afresh.`,
        { cause },
      );
    }
    if (cert.notAfter.getTime() > clock.now() + 86_400_000) {
      return {
        identity,
        clientSecret: secret,
        thumbprint: cert.thumbprint,
        fingerprint: fingerprintOf(cert.thumbprint),
        created: false,
      };
    }
    opts.log?.info(`${name}: the demo certificate expired; making a new one.`);
  }

  const made = await createClientIdentity({ name, kind: 'P-256', clock, days: CERT_DAYS });
  await writeAtomic(keyPath, pkcs8Pem(made.pkcs8));
  await writeAtomic(certPath, made.certificatePem);
  const identity: ClientIdentity = {
    certificatePem: made.certificatePem,
    thumbprint: made.thumbprint,
    signKey: made.signKey,
    decryptKey: made.decryptKey,
    alg: made.alg,
  };
  const cert = await parseCertificate(identity.certificatePem);
  return {
    identity,
    clientSecret: secret,
    thumbprint: cert.thumbprint,
    fingerprint: fingerprintOf(cert.thumbprint),
    created: true,
  };
}
