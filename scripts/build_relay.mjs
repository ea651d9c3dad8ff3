#!/usr/bin/env node
// `npm run build:relay`: the relay's entry points (`npm run relay`, `npm run relay:cluster`) as
// plain JavaScript in dist-relay/, so that production runs `node dist-relay/relay_main.js` and
// not TypeScript through tsx (issue #13: tsx's loader costs tens of MB of resident memory).
// One ES module per entry, for Node 20, every npm dependency left external (node-datachannel is
// native; the others are resolved from node_modules as under tsx).
//
// `--if-stale`: builds only when an output is missing or older than one of the files that went
// into it (esbuild's metafile lists them) or than this script; what `npm run relay` and the
// cluster starter use, so that a source edit never runs old JavaScript.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist-relay');
const META = join(OUT, 'meta.json');
const ENTRIES = ['src/server/relay_main.ts', 'src/server/cluster_main.ts'];
const outputs = ENTRIES.map((e) => join(OUT, e.replace(/^.*\//, '').replace(/\.ts$/, '.js')));

function stale() {
  if (!existsSync(META) || !outputs.every((o) => existsSync(o))) return true;
  const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  const inputs = Object.keys(JSON.parse(readFileSync(META, 'utf8')).inputs ?? {});
  return [fileURLToPath(import.meta.url), ...inputs.map((i) => join(ROOT, i))].some(
    (file) => !existsSync(file) || statSync(file).mtimeMs > built,
  );
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
// imported only when building: a deployment that runs dist-relay/ needs no esbuild
const { build } = await import('esbuild');
mkdirSync(OUT, { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  outdir: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(META, JSON.stringify(result.metafile));
