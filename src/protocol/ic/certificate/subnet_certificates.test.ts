/**
 * Vector: vectors/mainnet_subnet_certificates.json, from dfinity/agent-js at
 * e1a1d93aef4b10389f934d04a34e70d924a49268: goldenCertificates.ts (mainnet read_state
 * certificates of /subnet, one from an application subnet with a delegation, one from the root
 * subnet), the times and canisters of canisterStatus/index.test.ts, and the node keys in its
 * snapshot. Verified here with real BLS under the mainnet root key.
 */
import { describe, expect, it } from 'vitest';
import { Principal } from '../principal/index.js';
import vectors from '../vectors/mainnet_subnet_certificates.json';
import { subnetNodeKeys, verifyCertificate } from './index.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('mainnet /subnet certificates', () => {
  for (const name of ['mainnetApplication', 'mainnetSystem'] as const) {
    const vector = vectors[name];
    it(`${name}: verifies and yields the subnet's node keys`, async () => {
      const cert = await verifyCertificate(fromHex(vector.certificate), {
        canisterId: Principal.fromText(vector.canisterId),
        now: Date.parse(vector.time),
      });
      // A delegated certificate names its subnet; the root subnet's is known a priori.
      const subnetId = cert.subnetId ?? Principal.fromText(vector.subnetId);
      expect(subnetId.toText()).toBe(vector.subnetId);
      const keys = subnetNodeKeys(cert, subnetId);
      expect(Object.fromEntries([...keys].map(([node, der]) => [node, hex(der)]))).toEqual(
        vector.nodeKeys,
      );
      expect(subnetNodeKeys(cert, Principal.fromText('aaaaa-aa')).size).toBe(0);
    });
  }

  it('mainnetApplication: refuses a canister outside the subnet', async () => {
    const vector = vectors.mainnetApplication;
    await expect(
      verifyCertificate(fromHex(vector.certificate), {
        canisterId: Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai'),
        now: Date.parse(vector.time),
      }),
    ).rejects.toMatchObject({ code: 'ERR_IC_CERT_NOT_AUTHORIZED' });
  });
});
