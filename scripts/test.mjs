#!/usr/bin/env node
// `npm test`: sets up what the tests need, runs every suite, and ends with one line
// `N passed, N failed` (CI reads only that line).
//
// 1. System packages: Debian's Chromium, coturn (the TURN server data channels go through) and
//    iproute2 (for the namespace) are installed with apt when missing and we are root;
//    otherwise we stop with a clear message.
// 2. Build the app once (the browser tests use the production build and its service worker), and
//    the SDK package (`disco/sdk`, which the integrator's example imports).
// 3. Static checks (types, lint, format), Vitest, Playwright: inside a loopback-only network
//    namespace when we can make one (root + unshare), so nothing can leave the machine. The
//    namespace also gets a veth pair with a private address, standing in for the LAN interface
//    every real machine has: Chromium (without test-only flags) gathers no ICE candidates at all,
//    not even TURN-relayed ones, on a host whose only interface is loopback (measured). Both ends
//    of the pair are inside the namespace, so still nothing leaves.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensurePackages } from './system_packages.mjs';

const isRoot = process.getuid?.() === 0;
const inNamespace = process.env.DISCO_IN_NETNS === '1';
/** Vitest's whole run, at most (seconds). */
const VITEST_DEADLINE_S = 20 * 60;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function installSystemPackages() {
  if (
    ensurePackages(
      ['chromium', 'iproute2', 'coturn', 'redis-server', 'haproxy', 'pebble', 'dnsutils'],
      'The test run',
    ).length > 0
  ) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

/** Inside the new namespace: loopback up, and a LAN-like veth pair whose both ends stay here. */
const NAMESPACE_SETUP = [
  'ip link set lo up',
  'ip link add disco0 type veth peer name disco1',
  'ip addr add 10.77.0.1/24 dev disco0',
  'ip link set disco0 up',
  'ip link set disco1 up',
].join(' && ');

function canUnshare() {
  return isRoot && spawnSync('unshare', ['-n', 'true']).status === 0;
}

/** The suites, run from inside the namespace (or directly when there is none). */
function runSuites() {
  rmSync('test-results', { recursive: true, force: true });
  mkdirSync('test-results', { recursive: true });
  const results = [];

  for (const check of ['check:types', 'check:lint', 'check:format']) {
    const ok = run('npm', ['run', '--silent', check]) === 0;
    console.log(`${ok ? '✓' : '✗'} npm run ${check}`);
    results.push({ name: check, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
  }

  // A whole-run deadline (a normal run takes 4-6 min on 2 cores): a worker blocked in a native
  // call cannot be ended by Vitest's own timeouts, and one hung a CI run. coreutils' timeout ends
  // Vitest's whole process group; the files still running are the ones without a result above.
  const vitestStatus = run('timeout', [
    '--kill-after=15',
    String(VITEST_DEADLINE_S),
    'npx',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results/vitest.json',
  ]);
  if (vitestStatus === 124 || vitestStatus === 137)
    console.log(`✗ vitest did not finish within ${VITEST_DEADLINE_S / 60} min and was stopped`);
  results.push(readVitest(vitestStatus));

  const pwStatus = run('npx', ['playwright', 'test'], {
    env: { ...process.env, DISCO_SKIP_BUILD: '1' },
  });
  results.push(readPlaywright(pwStatus));

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log('');
  for (const r of results)
    console.log(`  ${r.name.padEnd(14)} ${r.passed} passed, ${r.failed} failed`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function readVitest(status) {
  const j = readJson('test-results/vitest.json');
  if (!j) return { name: 'vitest', passed: 0, failed: 1 };
  // A runner that crashed after some tests still counts as one failure.
  const failed = j.numFailedTests + (status !== 0 && j.numFailedTests === 0 ? 1 : 0);
  return { name: 'vitest', passed: j.numPassedTests, failed };
}

function readPlaywright(status) {
  const j = readJson('test-results/playwright.json');
  if (!j) return { name: 'playwright', passed: 0, failed: 1 };
  const { expected = 0, unexpected = 0, flaky = 0 } = j.stats ?? {};
  const failed = unexpected + flaky + (status !== 0 && unexpected === 0 ? 1 : 0);
  return { name: 'playwright', passed: expected, failed };
}

if (inNamespace) runSuites();

installSystemPackages();
if (
  run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0 ||
  run('node', ['scripts/build_sdk.mjs']) !== 0
) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (canUnshare()) {
  console.log('Running the tests in a loopback-only network namespace.');
  const status = run(
    'unshare',
    ['-n', 'sh', '-c', `${NAMESPACE_SETUP} && exec node scripts/test.mjs`],
    {
      env: { ...process.env, DISCO_IN_NETNS: '1' },
    },
  );
  process.exit(status);
}
console.warn(
  'No network namespace (needs root and unshare): running the tests on the host network.',
);
runSuites();
