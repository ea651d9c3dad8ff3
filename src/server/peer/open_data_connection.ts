// The environment-neutral link lives in the SDK (src/sdk/peer_link/); this path stays for Node callers.
export {
  openDataConnection,
  openDataConnectionHedged,
} from '../../sdk/peer_link/open_data_connection.js';
