import { execFileSync } from 'node:child_process';

/**
 * The browser tests run against the real production build, service worker included, and the
 * integrator's example against the built SDK package (`disco/sdk`).
 */
export default function globalSetup(): void {
  if (process.env.DISCO_SKIP_BUILD === '1') return;
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  execFileSync('node', ['scripts/build_sdk.mjs'], { stdio: 'inherit' });
}
