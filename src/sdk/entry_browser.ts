/** `disco/sdk` in browsers: everything in index.ts, and the direct WebRTC transport on the browser's own. */
export * from './index.js';
export * from './browser.js';
