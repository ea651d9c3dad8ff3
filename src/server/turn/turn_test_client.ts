/**
 * A minimal TURN client over UDP for tests: Allocate, CreatePermission and Refresh with the
 * long-term credential mechanism. Hand-written because no STUN/TURN client package is installed
 * (the npm `stun` package encodes messages but would be a new dependency) and WebRTC stacks
 * (node-datachannel) choose their permission peers themselves, while the tests must ask coturn
 * for chosen peer addresses. Only what the tests need: IPv4 peers, no channels, no data.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const COOKIE = 0x2112a442;
// RFC 8656 §17 methods; RFC 8489 §5: class bits 0x0100 success, 0x0110 error.
const ALLOCATE = 0x003;
const REFRESH = 0x004;
const CREATE_PERMISSION = 0x008;
const SUCCESS = 0x0100;
const ERROR = 0x0110;
// RFC 8489 §18.3 and RFC 8656 §18 attributes
const USERNAME = 0x0006;
const MESSAGE_INTEGRITY = 0x0008;
const ERROR_CODE = 0x0009;
const LIFETIME = 0x000d;
const XOR_PEER_ADDRESS = 0x0012;
const REALM = 0x0014;
const NONCE = 0x0015;
const REQUESTED_TRANSPORT = 0x0019;

type Attribute = [type: number, value: Buffer];

function attribute([type, value]: Attribute): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function header(type: number, length: number, id: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(COOKIE, 4);
  id.copy(h, 8);
  return h;
}

/**
 * A request with MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 under `key` over the message up to
 * the attribute, its header length already counting the attribute's 24 bytes.
 */
function encode(type: number, id: Buffer, attrs: Attribute[], key?: Buffer): Buffer {
  const body = Buffer.concat(attrs.map(attribute));
  if (!key) return Buffer.concat([header(type, body.length, id), body]);
  const signed = Buffer.concat([header(type, body.length + 24, id), body]);
  const mac = createHmac('sha1', key).update(signed).digest();
  return Buffer.concat([signed, attribute([MESSAGE_INTEGRITY, mac])]);
}

function decode(msg: Buffer): { type: number; id: Buffer; attrs: Map<number, Buffer> } | null {
  if (msg.length < 20 || msg.readUInt32BE(4) !== COOKIE) return null;
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= msg.length;) {
    const length = msg.readUInt16BE(at + 2);
    attrs.set(msg.readUInt16BE(at), msg.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: msg.readUInt16BE(0), id: msg.subarray(8, 20), attrs };
}

/** XOR-PEER-ADDRESS for an IPv4 `ip` (RFC 8489 §14.2). */
function xorPeer(ip: string, port: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1);
  v.writeUInt16BE(port ^ (COOKIE >>> 16), 2);
  const n = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  v.writeUInt32BE((n ^ COOKIE) >>> 0, 4);
  return v;
}

/** One TURN client on its own UDP socket (so its own 5-tuple and allocation) on 127.0.0.1. */
export class TurnTestClient {
  readonly #socket: Socket;
  readonly #server: { host: string; port: number };
  #auth: { username: Buffer; realm: Buffer; nonce: Buffer; key: Buffer } | undefined;

  private constructor(socket: Socket, host: string, port: number) {
    this.#socket = socket;
    this.#server = { host, port };
  }

  static async open(host: string, port: number): Promise<TurnTestClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new TurnTestClient(socket, host, port);
  }

  /** Sends a request until its answer comes (every 250 ms, 3 s at most). */
  #exchange(method: number, attrs: Attribute[]): Promise<ReturnType<typeof decode> & object> {
    const id = randomBytes(12);
    const auth = this.#auth;
    const all: Attribute[] = auth
      ? [...attrs, [USERNAME, auth.username], [REALM, auth.realm], [NONCE, auth.nonce]]
      : attrs;
    const request = encode(method, id, all, auth?.key);
    return new Promise((resolve, reject) => {
      const send = () => this.#socket.send(request, this.#server.port, this.#server.host);
      const retry = setInterval(send, 250);
      const timeout = setTimeout(() => finish(new Error('no TURN answer')), 3000);
      const onMessage = (msg: Buffer) => {
        const answer = decode(msg);
        if (answer?.id.equals(id)) finish(null, answer);
      };
      const finish = (err: Error | null, answer?: ReturnType<typeof decode>) => {
        clearInterval(retry);
        clearTimeout(timeout);
        this.#socket.off('message', onMessage);
        if (answer) resolve(answer);
        else reject(err ?? new Error('bad TURN answer'));
      };
      this.#socket.on('message', onMessage);
      send();
    });
  }

  /** 200 for a success answer, else the ERROR-CODE's number (RFC 8489 §14.8). */
  async #request(method: number, attrs: Attribute[]): Promise<number> {
    let answer = await this.#exchange(method, attrs);
    const code = (a: typeof answer) => {
      if ((a.type & 0x0110) === SUCCESS) return 200;
      const e = a.attrs.get(ERROR_CODE);
      return (a.type & 0x0110) === ERROR && e && e.length >= 4 ? e[2]! * 100 + e[3]! : 0;
    };
    const nonce = answer.attrs.get(NONCE);
    // 438 Stale Nonce (RFC 8489 §9.2.5): ask again once with the new nonce
    if (code(answer) === 438 && this.#auth && nonce) {
      this.#auth.nonce = Buffer.from(nonce);
      answer = await this.#exchange(method, attrs);
    }
    return code(answer);
  }

  /**
   * Allocates a UDP relay with `username` and `password` (RFC 8656 §7.1): the first request
   * gets the server's REALM and NONCE in a 401, the second one carries the long-term key
   * MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
   */
  async allocate(username: string, password: string): Promise<number> {
    const transport: Attribute = [REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
    this.#auth = undefined;
    const first = await this.#exchange(ALLOCATE, [transport]);
    const realm = first.attrs.get(REALM);
    const nonce = first.attrs.get(NONCE);
    if (!realm || !nonce) throw new Error('the TURN server asked for no credentials');
    this.#auth = {
      username: Buffer.from(username),
      realm: Buffer.from(realm),
      nonce: Buffer.from(nonce),
      key: createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest(),
    };
    return this.#request(ALLOCATE, [transport]);
  }

  /** Asks to let `peerIp` send to the allocation (RFC 8656 §9): 200, or 403 for a denied peer. */
  createPermission(peerIp: string): Promise<number> {
    return this.#request(CREATE_PERMISSION, [[XOR_PEER_ADDRESS, xorPeer(peerIp, 9)]]);
  }

  /** Gives the allocation back (Refresh with LIFETIME 0, RFC 8656 §7.2), then closes. */
  async close(): Promise<void> {
    if (this.#auth) {
      const zero = Buffer.alloc(4);
      await this.#request(REFRESH, [[LIFETIME, zero]]).catch(() => 0);
    }
    this.#socket.close();
  }
}
