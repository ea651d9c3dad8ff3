#!/usr/bin/env node
// Debian packages Disco runs with, installed with apt-get when missing and we are root.
//   node scripts/system_packages.mjs [--optional] <package>...
// Exits 0 when they are all there (or were installed); otherwise prints the apt command to run
// and exits 1 — or 0 with --optional, for `npm start`, which then runs without them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Each package and a file that shows it is installed. */
export const PACKAGES = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  iproute2: '/usr/sbin/ip',
  coturn: '/usr/bin/turnserver',
  'redis-server': '/usr/bin/redis-server',
  // the load balancer in front of the relay cluster (npm run relay:cluster, its test)
  haproxy: '/usr/sbin/haproxy',
  // nodetrust: the ACME test CA, and dig for the DNS server's tests
  pebble: '/usr/bin/pebble',
  dnsutils: '/usr/bin/dig',
};

/**
 * Installs the missing ones of `names`; returns the names still missing (none on success).
 * `why` says in the message what they are for.
 */
export function ensurePackages(names, why) {
  const missing = names.filter((name) => !existsSync(PACKAGES[name]));
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    console.error(
      `\n${why} needs these Debian packages: ${missing.join(', ')}.\n` +
        `Install them with:  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
        `(or run it as root and it installs them itself).\n`,
    );
    return missing;
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', ...missing])) {
    console.error('apt-get could not install the packages above.');
    return missing;
  }
  return names.filter((name) => !existsSync(PACKAGES[name]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const optional = args[0] === '--optional';
  const names = optional ? args.slice(1) : args;
  const unknown = names.filter((name) => !(name in PACKAGES));
  if (unknown.length > 0) {
    console.error(`Unknown package: ${unknown.join(', ')}`);
    process.exit(2);
  }
  const missing = ensurePackages(names, 'Disco');
  process.exit(missing.length > 0 && !optional ? 1 : 0);
}
