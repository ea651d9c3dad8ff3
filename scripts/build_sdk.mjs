#!/usr/bin/env node
// `npm run build:sdk`: the relying-party SDK as a package entry (`disco/sdk` in package.json's
// `exports`): one ES module for Node, one for browsers, their dependencies left to the
// integrator's package manager, and type declarations.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist-sdk', { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['src/sdk/entry_node.ts'],
  platform: 'node',
  target: 'node20',
  outfile: 'dist-sdk/node.js',
});
await build({
  ...common,
  entryPoints: ['src/sdk/entry_browser.ts'],
  platform: 'browser',
  target: 'es2022',
  outfile: 'dist-sdk/browser.js',
});
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.sdk.json'], { stdio: 'inherit' });
process.exit(tsc.status ?? 1);
