// The environment-neutral link lives in the SDK (src/sdk/peer_link/); this path stays for Node callers.
export { frameBytes } from '../../sdk/peer_link/frame_bytes.js';
