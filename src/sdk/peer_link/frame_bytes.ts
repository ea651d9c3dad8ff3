/**
 * The bytes of one data-channel message as PeerJS `raw` hands it over: an ArrayBuffer
 * (`binaryType = 'arraybuffer'`), or a view of one. Anything else (a string) is not a frame.
 */
export function frameBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
