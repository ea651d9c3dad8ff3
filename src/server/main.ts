import { resolve } from 'node:path';
import { serveApp } from './app/serve_app.js';
import { listen } from './listen.js';

/**
 * `npm start`: one process for everything Disco runs locally. Today: the device app.
 * Configuration by environment: DISCO_HOST (default 127.0.0.1), DISCO_APP_PORT (default 8710),
 * DISCO_APP_DIR (default ./dist).
 */
const host = process.env.DISCO_HOST ?? '127.0.0.1';
const appPort = Number(process.env.DISCO_APP_PORT ?? 8710);
const appDir = resolve(process.env.DISCO_APP_DIR ?? 'dist');

const app = await listen(serveApp(appDir), appPort, host);
console.log(`Disco is running.\n\n  Device app   ${app.url}/\n\nPress Ctrl+C to stop.`);

const stop = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
