// Writes the app icons (public/icons/*.png) with no dependency: a PNG is a signature, an IHDR,
// zlib-deflated scanlines in IDAT, and IEND, each chunk with a CRC-32 (PNG spec §5).
// Run: node scripts/make-icons.mjs — the output is committed; rerun only to change the design.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5, size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PURPLE = [0x5b, 0x2b, 0xe0, 255];
const WHITE = [255, 255, 255, 255];
const CLEAR = [0, 0, 0, 0];
// A disc (a record, a "disco" ball seen flat) with a keyhole-like centre, scaled by `scale`.
function design(scale, fullBleed) {
  return (x, y, size) => {
    const u = (x / size) * 2 - 1;
    const v = (y / size) * 2 - 1;
    const r = Math.hypot(u, v) / scale;
    const corner = Math.max(Math.abs(u), Math.abs(v));
    const inSquircle =
      fullBleed || (Math.abs(u) ** 4 + Math.abs(v) ** 4) ** 0.25 < 0.98 || corner < 0.8;
    if (!inSquircle) return CLEAR;
    if (r < 0.18) return PURPLE;
    if (r < 0.3) return WHITE;
    if (r < 0.36) return PURPLE;
    if (r < 0.72) return WHITE;
    return PURPLE;
  };
}

mkdirSync('public/icons', { recursive: true });
writeFileSync('public/icons/icon-192.png', png(192, design(1, false)));
writeFileSync('public/icons/icon-512.png', png(512, design(1, false)));
// Maskable: full-bleed background, the disc inside the 80 % safe zone (W3C manifest §maskable).
writeFileSync('public/icons/maskable-512.png', png(512, design(0.78, true)));
writeFileSync('public/icons/apple-touch-icon.png', png(180, design(0.85, true)));
console.log('wrote public/icons/*.png');
