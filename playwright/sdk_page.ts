import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type * as Sdk from '../src/sdk/index.js';
import type * as BrowserSdk from '../src/sdk/browser.js';
import type { rtcConfiguration } from '../src/sdk/peer_link/rtc_configuration.js';

/** What the bundle puts on `window.DiscoSdk`: the SDK as a relying party's web page imports it. */
export type SdkGlobal = typeof Sdk &
  typeof BrowserSdk & { rtcConfiguration: typeof rtcConfiguration };

declare global {
  interface Window {
    DiscoSdk: SdkGlobal;
    /** Whatever a test keeps between two `page.evaluate` calls. */
    rp: Record<string, unknown>;
  }
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The real SDK (src/sdk/index.ts and src/sdk/browser.ts), bundled for browsers as one IIFE that
 * sets `window.DiscoSdk`: what a relying party's page would ship. Built in memory for each run;
 * nothing is written. `rtcConfiguration` is added for a test of the browser's own
 * RTCPeerConnection.
 */
export async function bundleSdk(): Promise<string> {
  const out = await build({
    stdin: {
      contents: [
        "export * from './src/sdk/index.ts';",
        "export * from './src/sdk/browser.ts';",
        "export { rtcConfiguration } from './src/sdk/peer_link/rtc_configuration.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'sdk-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'DiscoSdk',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no bundle');
  return file.text;
}

export interface SdkSite {
  /** `http://127.0.0.1:<port>/`: a blank page that loads the SDK, no Content-Security-Policy. */
  url: string;
  close(): Promise<void>;
}

/**
 * A relying party's site on its own origin (127.0.0.1, a free port): `/` is a blank page that
 * loads `/sdk.js`, the bundled SDK.
 */
export async function serveSdkSite(): Promise<SdkSite> {
  const sdk = await bundleSdk();
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Browser Shop</title>' +
    '<script src="/sdk.js"></script></head><body><h1>Browser Shop</h1></body></html>';
  const server = createServer((req, res) => {
    const [type, body] =
      req.url === '/sdk.js'
        ? ['text/javascript', sdk]
        : req.url === '/'
          ? ['text/html; charset=utf-8', page]
          : [undefined, 'not found'];
    res.writeHead(type ? 200 : 404, {
      'content-type': type ?? 'text/plain',
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
