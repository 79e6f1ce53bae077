// Draws Warden's tray icons (a shape per level, 16 px and @2x 32 px) and the 512 px app icon
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

// The tray: a shape per level, readable without colour. The calm states are template images
// (black + alpha; macOS tints them for light, dark and tinted bars); amber and red keep colour.
// Warden's glyph is the app icon's watch light (a ring and its centre): green shows it whole.
const AMBER = '#FF9F0A';
const RED = '#FF3B30';
const INK = [0, 0, 0];

/** Geometry in a 16-unit box, scaled to the pixel size. */
function scaled(size, shade) {
  const k = size / 16;
  return render(size, (x, y) => shade(x / k, y / k, k));
}

/** green: the watch light, a ring with its centre. */
function ringIcon(size) {
  return scaled(size, (x, y) => {
    const d = Math.hypot(x - 8, y - 8);
    if (Math.abs(d - 5.6) <= 0.95 || d <= 2.1) return [...INK, 1];
    return [0, 0, 0, 0];
  });
}

/** grey: a dashed ring with no centre, nothing known. */
function dashedRingIcon(size) {
  return scaled(size, (x, y) => {
    const d = Math.hypot(x - 8, y - 8);
    if (Math.abs(d - 5.6) > 0.95) return [0, 0, 0, 0];
    const angle = (Math.atan2(y - 8, x - 8) + Math.PI) / (2 * Math.PI);
    return (angle * 8) % 1 < 0.55 ? [...INK, 1] : [0, 0, 0, 0];
  });
}

/** An exclamation mark, centred on x = 8: a bar from top to bottom and a dot below. */
function exclamation(x, y, top, bottom, dotY) {
  const bar = Math.abs(x - 8) <= 1.0 && y >= top && y <= bottom;
  return bar || Math.hypot(x - 8, y - dotY) <= 1.15;
}

/** amber: a warning triangle with a dark exclamation mark. */
function triangleIcon(size) {
  const [r, g, b] = hex(AMBER);
  const rim = [r * 0.7, g * 0.7, b * 0.7];
  const A = [8, 1.2];
  const B = [15.2, 14.6];
  const C = [0.8, 14.6];
  const edge = (p, q, x, y) => ((q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])) / Math.hypot(q[0] - p[0], q[1] - p[1]);
  return scaled(size, (x, y) => {
    const inside = Math.min(edge(A, B, x, y), edge(B, C, x, y), edge(C, A, x, y));
    if (inside < 0) return [0, 0, 0, 0];
    if (exclamation(x, y, 5.6, 10.4, 12.5)) return [29, 29, 31, 1];
    return inside < 0.8 ? [...rim, 1] : [r, g, b, 1];
  });
}

/** red: a filled disc with a white exclamation mark. */
function alarmIcon(size) {
  const [r, g, b] = hex(RED);
  const rim = [r * 0.7, g * 0.7, b * 0.7];
  return scaled(size, (x, y) => {
    const d = Math.hypot(x - 8, y - 8);
    if (d > 7.3) return [0, 0, 0, 0];
    if (exclamation(x, y, 3.4, 9.4, 12.0)) return [255, 255, 255, 1];
    return d > 6.5 ? [...rim, 1] : [r, g, b, 1];
  });
}

/** File name per level: "Template" at the end of the name makes macOS treat the image as a template. */
export const TRAY_FILES = { green: 'trayGreenTemplate', grey: 'trayGreyTemplate', amber: 'trayAmber', red: 'trayRed' };
const TRAY_DRAW = { green: ringIcon, grey: dashedRingIcon, amber: triangleIcon, red: alarmIcon };

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
for (const [level, name] of Object.entries(TRAY_FILES)) {
  writeFileSync(`assets/${name}.png`, encodePng(16, 16, TRAY_DRAW[level](16)));
  writeFileSync(`assets/${name}@2x.png`, encodePng(32, 32, TRAY_DRAW[level](32)));
}
writeFileSync('assets/icon.png', encodePng(512, 512, appIcon(512)));
process.stdout.write(`assets: ${Object.values(TRAY_FILES).join(', ')} (.png and @2x), icon.png\n`);
