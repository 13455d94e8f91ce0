// Draws the app icon (a blue disc with a white learning curve falling to a plateau) as PNGs for
// the web app manifest: public/icon-192.png, public/icon-512.png. Run: node scripts/icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
}

function icon(size) {
  const px = Buffer.alloc(size * (size * 4 + 1));
  const r = size / 2;
  // the curve: y = a + b·e^(−x/τ) across the disc, in unit coordinates
  const curve = (u) => 0.72 - 0.5 * Math.exp(-u / 0.22);
  for (let y = 0; y < size; y++) {
    px[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const i = y * (size * 4 + 1) + 1 + x * 4;
      const dx = x + 0.5 - r;
      const dy = y + 0.5 - r;
      const inside = Math.hypot(dx, dy) <= r * 0.96;
      const u = (x + 0.5) / size;
      const v = 1 - (y + 0.5) / size;
      const onCurve = u > 0.14 && u < 0.86 && Math.abs(v - (1 - curve((u - 0.14) / 0.72))) < 0.045;
      const [R, G, B, A] = !inside ? [0, 0, 0, 0] : onCurve ? [255, 255, 255, 255] : [0, 114, 178, 255];
      px[i] = R; px[i + 1] = G; px[i + 2] = B; px[i + 3] = A;
    }
  }
  const head = Buffer.alloc(13);
  head.writeUInt32BE(size, 0);
  head.writeUInt32BE(size, 4);
  head[8] = 8; head[9] = 6; head[10] = 0; head[11] = 0; head[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', head), chunk('IDAT', deflateSync(px)), chunk('IEND', Buffer.alloc(0))]);
}

for (const s of [192, 512]) writeFileSync(`public/icon-${s}.png`, icon(s));
