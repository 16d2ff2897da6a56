/**
 * Seeded randomness for the generator: sfc32 (Chris Doty-Humphrey's Small Fast Counter, 32-bit), seeded through a
 * murmur3-style integer mix. Everything is 32-bit integer arithmetic (Math.imul, >>>), so a seed gives the same
 * stream on every platform. Never Math.random.
 */

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a list of integers (each folded in as 32 bits, the high bits of large values too). */
export function hashInts(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const lo = p | 0;
    const hi = Math.floor(p / 4294967296) | 0;
    h = mix32(h ^ Math.imul(lo, 0xcc9e2d51));
    h = Math.imul(h ^ (h >>> 15), 0x1b873593) + 0xe6546b64;
    if (hi !== 0 && hi !== -1) h = mix32(h ^ hi);
  }
  return mix32(h);
}

/** FNV-1a over UTF-16 code units, then mixed. For stable per-name hashing. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0x243f6a88);
    this.b = mix32(seed ^ 0x85a308d3);
    this.c = mix32(seed ^ 0x13198a2e);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A generator for a sub-stream named by integers (e.g. seed, user index, stream number). */
  static of(...parts: number[]): Rng {
    return new Rng(hashInts(...parts));
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Index drawn with the given non-negative weights (at least one positive). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    for (;;) {
      const u = this.next() * 2 - 1;
      const v = this.next() * 2 - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * m;
        return u * m;
      }
    }
  }

  /** Poisson-distributed count (Knuth; the generator only asks for small means). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  /** `n` random decimal digits (the first may be 0). */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + Math.floor(this.next() * 10));
    return s;
  }

  /** `n` random upper-case letters and digits. */
  alnum(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM.charAt(Math.floor(this.next() * 36));
    return s;
  }

  /** `n` random lower-case hex digits. */
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX.charAt(Math.floor(this.next() * 16));
    return s;
  }
}

/** `value` as lower-case hex, zero-padded to `width` digits. */
export function hexPad(value: number, width: number): string {
  return (value >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/** `value` in base 36, upper case, zero-padded to `width` digits (wider values are kept whole). */
export function base36Pad(value: number, width: number): string {
  return value.toString(36).toUpperCase().padStart(width, '0');
}
