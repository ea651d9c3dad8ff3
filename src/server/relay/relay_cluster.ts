import type { Clock } from '../../protocol/encoding/index.js';
import { PeerDirectory } from './peer_directory.js';
import { RedisPairingStore } from './redis_pairing_store.js';

/** The Redis parts of one relay process in a cluster (issue #14, docs/wire/relay.md "Cluster"). */
export interface RelayCluster {
  readonly store: RedisPairingStore;
  readonly directory: PeerDirectory;
  readonly prefix: string;
}

/**
 * Connects a relay process to the cluster's Redis: the pairing store, the peer directory and
 * this process's channel. ERR_RELAY_STORE_UNAVAILABLE when Redis cannot be reached now (a
 * process starts only with its Redis; once running it rides out Redis restarts).
 */
export async function openRelayCluster(o: {
  url: string;
  prefix: string;
  clock: Clock;
}): Promise<RelayCluster> {
  const store = await RedisPairingStore.open({ url: o.url, clock: o.clock, prefix: o.prefix });
  try {
    const directory = await PeerDirectory.open({ url: o.url, prefix: o.prefix });
    return { store, directory, prefix: o.prefix };
  } catch (err) {
    await store.close();
    throw err;
  }
}
