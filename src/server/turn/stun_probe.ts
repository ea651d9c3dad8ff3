import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;

/**
 * Sends one STUN Binding request (RFC 8489 §6) over UDP to `host:port` and resolves whether a
 * Binding success answer with the same transaction id came back within `timeoutMs`. How we know
 * a TURN server we started is ready: it answers STUN on its listening port.
 */
export function stunAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const id = randomBytes(12);
  const request = Buffer.alloc(20);
  request.writeUInt16BE(BINDING_REQUEST, 0);
  request.writeUInt16BE(0, 2); // no attributes
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  id.copy(request, 8);
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => {
      if (
        msg.length >= 20 &&
        msg.readUInt16BE(0) === BINDING_SUCCESS &&
        msg.readUInt32BE(4) === MAGIC_COOKIE &&
        msg.subarray(8, 20).equals(id)
      )
        done(true);
    });
    socket.send(request, port, host);
  });
}
