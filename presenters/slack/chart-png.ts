// A tiny PNG line chart of one metric around the onset: a pure encoder over node:zlib, no native dependencies.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encodes 8-bit RGB pixels (row-major, 3 bytes a pixel) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (rgb.length !== width * height * 3)
    throw new Error(`expected ${width * height * 3} bytes of RGB, got ${rgb.length}`);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

type Rgb = [number, number, number];

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, i * 3);
  }
  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.pixels.set(c, (yi * this.width + xi) * 3);
  }
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      for (let d = 0; d < thick; d++) {
        this.set(x, y + d, c);
        this.set(x + d, y, c);
      }
    }
  }
}

export interface ChartInput {
  /** [unix seconds, value] points, in time order. */
  points: Array<[number, number]>;
  /** Unix seconds of the onset (the page), drawn as a red line. */
  onset?: number;
  /** A threshold (SLO limit) drawn as a dashed grey line. */
  threshold?: number;
  width?: number;
  height?: number;
}

/** Renders a line chart to PNG: the series in blue, the onset in red, the threshold dashed. Deterministic. */
export function renderLineChartPng(input: ChartInput): Buffer {
  const width = input.width ?? 480;
  const height = input.height ?? 200;
  const pad = 12;
  const canvas = new Canvas(width, height, [255, 255, 255]);
  const pts = input.points.filter(([, v]) => Number.isFinite(v));
  const grey: Rgb = [200, 200, 200];
  canvas.line(pad, height - pad, width - pad, height - pad, grey);
  canvas.line(pad, pad, pad, height - pad, grey);
  if (pts.length === 0) return encodePng(width, height, canvas.pixels);
  const t0 = Math.min(pts[0]![0], input.onset ?? Infinity);
  const t1 = Math.max(pts[pts.length - 1]![0], input.onset ?? -Infinity);
  const values = pts.map(([, v]) => v).concat(input.threshold !== undefined ? [input.threshold] : []);
  const vmin = Math.min(0, ...values);
  const vmax = Math.max(...values) === vmin ? vmin + 1 : Math.max(...values);
  const x = (t: number) => pad + ((t - t0) / Math.max(1, t1 - t0)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - vmin) / (vmax - vmin)) * (height - 2 * pad);
  if (input.threshold !== undefined) {
    for (let px = pad; px < width - pad; px += 8)
      canvas.line(px, y(input.threshold), Math.min(px + 4, width - pad), y(input.threshold), [150, 150, 150]);
  }
  if (input.onset !== undefined) canvas.line(x(input.onset), pad, x(input.onset), height - pad, [220, 40, 40]);
  for (let i = 1; i < pts.length; i++)
    canvas.line(x(pts[i - 1]![0]), y(pts[i - 1]![1]), x(pts[i]![0]), y(pts[i]![1]), [30, 100, 220], 2);
  if (pts.length === 1)
    canvas.line(x(pts[0]![0]) - 1, y(pts[0]![1]), x(pts[0]![0]) + 1, y(pts[0]![1]), [30, 100, 220], 2);
  return encodePng(width, height, canvas.pixels);
}
