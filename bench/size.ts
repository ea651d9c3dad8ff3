// The size section of `npm run bench`: how much JavaScript the device app loads before its first
// paint, and how large its service worker is, measured on a fresh production build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Manifest } from 'vite';
import type { Results } from './results.js';

const ROOT = resolve(import.meta.dirname, '..');

/** gzip at zlib's default level, as Vite's build report counts it. */
const gzipBytes = (path: string) => gzipSync(readFileSync(path)).byteLength;

/**
 * The JavaScript files the built index.html loads before any dynamic `import()`: its entry
 * chunk and, transitively, the chunks that chunk imports statically (`imports` in Vite's
 * manifest; `dynamicImports` load later). Cross-checked against index.html's own script and
 * modulepreload tags, so a chunk the manifest does not list is not missed.
 */
export function firstPaintScripts(dist: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Manifest;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  for (const [, path] of html.matchAll(
    /<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g,
  )) {
    if (path) files.add(path);
  }
  return [...files].filter((file) => file.endsWith('.js')).sort();
}

/**
 * A production build of the app in a new temporary folder named `prefix…` (dist/ stays as it
 * is); the caller removes it.
 */
export function freshBuild(prefix: string): string {
  const dist = mkdtempSync(join(tmpdir(), prefix));
  try {
    execFileSync(
      process.execPath,
      [
        resolve(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--outDir',
        dist,
        '--emptyOutDir',
        '--logLevel',
        'error',
      ],
      // The build's own report (the service worker's sub-build prints one whatever the log level)
      // would bury the figures: shown only when the build fails.
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    rmSync(dist, { recursive: true, force: true });
    throw err;
  }
  return dist;
}

/** Builds the app into a temporary folder (dist/ stays as it is) and records the sizes. */
export function sizeSection(results: Results): void {
  console.log('\nJavaScript size (a fresh production build, gzip at the default level)');
  const dist = freshBuild('disco-bench-build-');
  try {
    const scripts = firstPaintScripts(dist);
    const firstPaint = scripts.reduce((sum, file) => sum + gzipBytes(join(dist, file)), 0);
    const all = allScripts(dist).reduce((sum, file) => sum + gzipBytes(join(dist, file)), 0);
    const sw = gzipBytes(join(dist, 'sw.js'));
    const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`.padStart(10);
    console.log(
      `  ${'first paint: index.html → entry + static imports'.padEnd(44)} ${kb(firstPaint)}`,
    );
    console.log(`    (${scripts.join(', ')})`);
    console.log(`  ${'all of the app’s chunks (loaded on demand)'.padEnd(44)} ${kb(all)}`);
    console.log(`  ${'service worker (sw.js)'.padEnd(44)} ${kb(sw)}`);
    results.add('app_js_gzip_bytes', 'all JavaScript chunks of the device app, gzip', all, 'bytes');
    results.add(
      'first_paint_js_gzip_bytes',
      'JavaScript the device app loads before its first paint, gzip',
      firstPaint,
      'bytes',
      'app_js_gzip_bytes',
    );
    results.add('sw_js_gzip_bytes', 'service worker, gzip', sw, 'bytes');
    console.log(
      `  the first paint loads ${((firstPaint / all) * 100).toFixed(0)} % of the app's JavaScript; ` +
        'the rest comes when first needed (the service worker precaches it all)',
    );
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}

function allScripts(dist: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Manifest;
  return [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((file) =>
    file.endsWith('.js'),
  );
}
