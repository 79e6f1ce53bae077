// Draws Warden's tray icons (one colour per level, 16 px and @2x 32 px) and the 512 px app icon
// as PNG files, using only node:zlib: the PNG chunks are written here. Run: node scripts/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** rgba: Uint8Array of width*height*4, straight (not premultiplied) alpha. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** Paints by coverage: shade(x, y) returns [r, g, b, a 0..1] for a point, sampled 4×4 per pixel. */
function render(size, shade) {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const [cr, cg, cb, ca] = shade(x + (sx + 0.5) / n, y + (sy + 0.5) / n);
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return out;
}

const TRAY = { green: '#34C759', amber: '#FF9F0A', red: '#FF3B30', grey: '#8E8E93' };

/** A filled disc with a slightly darker rim, readable on light and dark menu bars; grey (no data) is a ring. */
function trayIcon(size, colour, hollow) {
  const c = size / 2;
  const radius = size * 0.34;
  const rim = Math.max(1, size / 16);
  const [r, g, b] = hex(colour);
  const dark = [r * 0.72, g * 0.72, b * 0.72];
  return render(size, (x, y) => {
    const d = Math.hypot(x - c, y - c);
    if (d > radius) return [0, 0, 0, 0];
    if (d > radius - rim) return [...dark, 1];
    if (hollow && d < radius - rim * 2.2) return [0, 0, 0, 0];
    return [r, g, b, 1];
  });
}

/** The app icon: a dark rounded square with a green watch light: a ring and its centre. */
function appIcon(size) {
  const corner = size * 0.225;
  const inset = size * 0.08;
  const lo = inset;
  const hi = size - inset;
  const c = size / 2;
  const [gr, gg, gb] = hex('#34C759');
  return render(size, (x, y) => {
    const qx = Math.max(lo + corner - x, 0, x - (hi - corner));
    const qy = Math.max(lo + corner - y, 0, y - (hi - corner));
    if (x < lo || x > hi || y < lo || y > hi || Math.hypot(qx, qy) > corner) return [0, 0, 0, 0];
    const t = (y - lo) / (hi - lo);
    const bg = [30 - 14 * t, 38 - 16 * t, 48 - 18 * t];
    const d = Math.hypot(x - c, y - c);
    const ring = size * 0.27;
    const width = size * 0.045;
    if (Math.abs(d - ring) < width / 2) return [gr, gg, gb, 1];
    if (d < size * 0.09) return [gr, gg, gb, 1];
    if (Math.abs(d - ring) < width * 1.6) {
      const glow = 0.18 * (1 - (Math.abs(d - ring) - width / 2) / (width * 1.1));
      return [bg[0] + (gr - bg[0]) * glow, bg[1] + (gg - bg[1]) * glow, bg[2] + (gb - bg[2]) * glow, 1];
    }
    return [...bg, 1];
  });
}

mkdirSync('assets', { recursive: true });
for (const [level, colour] of Object.entries(TRAY)) {
  writeFileSync(`assets/tray-${level}.png`, encodePng(16, 16, trayIcon(16, colour, level === 'grey')));
  writeFileSync(`assets/tray-${level}@2x.png`, encodePng(32, 32, trayIcon(32, colour, level === 'grey')));
}
writeFileSync('assets/icon.png', encodePng(512, 512, appIcon(512)));
process.stdout.write('assets: tray-{green,amber,red,grey}.png (+@2x), icon.png\n');
