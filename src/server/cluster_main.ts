import { parseArgs } from 'node:util';
import { startCluster } from './relay/cluster/start_cluster.js';

/**
 * `npm run relay:cluster -- [--relays 3] [--port 8710]`: Redis, N relay processes sharing it and
 * HAProxy in front, all on 127.0.0.1 (docs/wire/relay.md "Cluster"); prints the one public URL
 * and stops everything on SIGINT/SIGTERM. The relays read DISCO_RELAY_* from the environment as
 * `npm run relay` does (TURN: the same coturn secret in every process). `npm start` stays one
 * process with the memory store.
 */
const { values } = parseArgs({
  options: {
    relays: { type: 'string', default: '3' },
    port: { type: 'string', default: process.env.DISCO_CLUSTER_PORT ?? '8710' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('Usage: npm run relay:cluster -- [--relays N] [--port P]   (see docs/wire/relay.md)');
  process.exit(0);
}
const relays = Number(values.relays);
const port = Number(values.port);
if (!Number.isInteger(relays) || relays < 1 || relays > 64) {
  console.error(`--relays must be 1 to 64, not "${values.relays}".`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${values.port}".`);
  process.exit(2);
}
const cluster = await startCluster({ relays, ...(port ? { port } : {}) });
for (const relay of cluster.relays) console.log(`  relay process ${relay.url}`);
console.log(`  redis ${cluster.redis.url}`);
console.log(`Disco relay cluster (${relays} processes behind HAProxy) at ${cluster.url}`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('Stopping: the balancer stops taking connections, the relays drain…');
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
