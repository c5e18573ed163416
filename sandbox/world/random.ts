// Deterministic noise for the simulated world: the same key always yields the same number, so history is stable.

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
