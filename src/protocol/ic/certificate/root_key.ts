/**
 * The IC mainnet root public key, DER (a BLS12-381 G2 key): the default root of trust. Published
 * by DFINITY; the same bytes as agent-js `IC_ROOT_KEY` (packages/agent/src/agent/http/index.ts)
 * and internet-identity's `IC_ROOT_PUBLIC_KEY`.
 */
export const IC_MAINNET_ROOT_KEY_DER = Uint8Array.from(
  (
    '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100814' +
    'c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d968' +
    '5f913a0c0b2cc5341583bf4b4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484' +
    'b01291091c5f87b98883463f98091a0baaae'
  ).match(/../g)!,
  (b) => parseInt(b, 16),
);
