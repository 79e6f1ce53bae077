/**
 * The tray images as committed (scripts/make-icons.mjs): each level a shape of its own, so the
 * level reads without colour; the calm ones template images (black and alpha only), amber and
 * red in colour; 16 px and @2x.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isTemplateIcon, TRAY_ICON_FILES, TRAY_LEVELS } from '../../../src/main/tray.js';

interface Png {
  width: number;
  height: number;
  rgba: Buffer;
}

/** Reads an 8-bit RGBA PNG whose rows are unfiltered, as make-icons writes them. */
function readPng(file: string): Png {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

const ASSETS = path.resolve(import.meta.dirname, '../../../assets');
const at = (level: (typeof TRAY_LEVELS)[number], suffix = '') => path.join(ASSETS, TRAY_ICON_FILES[level].replace('.png', `${suffix}.png`));

/** Where the icon is opaque enough to be seen, ignoring colour. */
function mask(png: Png): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < png.width * png.height; i++) out.push(png.rgba[i * 4 + 3]! >= 128);
  return out;
}

/** What the eye sees without colour: opaque pixels split into dark and light by luminance. */
function greyShape(png: Png): string[] {
  const out: string[] = [];
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b, a] = [...png.rgba.subarray(i * 4, i * 4 + 4)] as [number, number, number, number];
    out.push(a < 128 ? ' ' : 0.2126 * r + 0.7152 * g + 0.0722 * b > 128 ? 'L' : 'D');
  }
  return out;
}

describe('tray icons', () => {
  it('exist at 16 px and @2x 32 px for every level', () => {
    for (const level of TRAY_LEVELS) {
      expect([readPng(at(level)).width, readPng(at(level)).height]).toEqual([16, 16]);
      expect([readPng(at(level, '@2x')).width, readPng(at(level, '@2x')).height]).toEqual([32, 32]);
    }
  });

  it('green and grey are template images (black and alpha only); amber and red are in colour', () => {
    for (const level of TRAY_LEVELS) {
      const png = readPng(at(level, '@2x'));
      const inked = [...Array(png.width * png.height).keys()].filter((i) => png.rgba[i * 4 + 3]! > 0);
      const allBlack = inked.every((i) => png.rgba[i * 4] === 0 && png.rgba[i * 4 + 1] === 0 && png.rgba[i * 4 + 2] === 0);
      const template = level === 'green' || level === 'grey';
      expect(isTemplateIcon(TRAY_ICON_FILES[level]), level).toBe(template);
      expect(allBlack, level).toBe(template);
      expect(inked.length, level).toBeGreaterThan(60);
    }
  });

  it('each level is its own shape: any two differ in a fifth of their pixels, without colour', () => {
    const shapes = TRAY_LEVELS.map((level) => ({ level, mask: mask(readPng(at(level, '@2x'))), grey: greyShape(readPng(at(level, '@2x'))) }));
    for (const a of shapes) {
      for (const b of shapes) {
        if (a.level >= b.level) continue;
        const inked = a.grey.filter((p, i) => p !== ' ' || b.grey[i] !== ' ').length;
        const differ = a.grey.filter((p, i) => p !== b.grey[i]).length;
        expect(differ / inked, `${a.level} vs ${b.level}`).toBeGreaterThan(0.2);
      }
    }
    // Red is the fullest shape: a solid disc, the most ink.
    const ink = Object.fromEntries(shapes.map((s) => [s.level, s.mask.filter(Boolean).length]));
    expect(Math.max(...Object.values(ink))).toBe(ink.red);
  });
});
