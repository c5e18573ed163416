// The PNG encoder and chart: valid PNG files (signature, chunk CRCs, pixels that decode back), drawn where expected.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, renderLineChartPng } from '../../../../presenters/slack/chart-png.js';

function decode(png: Buffer): { width: number; height: number; rgb: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString('ascii');
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 2]);
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  return { width, height, rgb };
}

describe('PNG chart', () => {
  it('encodes pixels that decode back exactly', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const { width, height, rgb: back } = decode(encodePng(2, 2, rgb));
    expect([width, height]).toEqual([2, 2]);
    expect([...back]).toEqual([...rgb]);
  });

  it('draws the series in blue and the onset in red', () => {
    const points: Array<[number, number]> = Array.from({ length: 30 }, (_, i) => [
      1000 + i * 60,
      i < 15 ? 0.001 : 0.12,
    ]);
    const png = renderLineChartPng({ points, onset: 1000 + 15 * 60, width: 200, height: 100 });
    const { rgb } = decode(png);
    const colours = new Set<string>();
    for (let i = 0; i < rgb.length; i += 3) colours.add(`${rgb[i]},${rgb[i + 1]},${rgb[i + 2]}`);
    expect(colours.has('30,100,220')).toBe(true);
    expect(colours.has('220,40,40')).toBe(true);
    expect(renderLineChartPng({ points, onset: 1000 + 15 * 60, width: 200, height: 100 })).toEqual(png);
  });
});
