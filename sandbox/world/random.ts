// The simulator's one random source, deterministic both ways: keyed noise for the live world (the same key always
// yields the same number, so history is stable however it is read) and a seeded sequence (mulberry32) for generated
// scenarios (the same seed always yields the same scenario).

/** 32-bit FNV-1a hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche so that keys differing in one trailing digit land far apart.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for a key. */
export function uniform(key: string): number {
  return hash32(key) / 4_294_967_296;
}

/** A standard-normal number for a key (Box–Muller over two hashed uniforms). */
export function gaussian(key: string): number {
  const u1 = Math.max(uniform(`${key}#a`), 1e-12);
  const u2 = uniform(`${key}#b`);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Picks one item of a non-empty list for a key. */
export function pick<T>(key: string, items: readonly T[]): T {
  return items[Math.floor(uniform(key) * items.length)]!;
}

/** A seeded sequence of uniforms, for ids and choices made when something is triggered. */
export function createSequence(seed: string): () => number {
  let n = 0;
  return () => uniform(`${seed}:${n++}`);
}

/** A seeded sequence of pseudo-random numbers (mulberry32) with the helpers the scenario generator draws with. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  float(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Log-uniform: magnitudes spread evenly across orders of size. */
  logFloat(lo: number, hi: number): number {
    return Math.exp(this.float(Math.log(lo), Math.log(hi)));
  }

  int(lo: number, hi: number): number {
    return Math.floor(this.float(lo, hi + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
}
