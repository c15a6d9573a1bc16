import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, encodeBase62, randomBase62, randomPoolBytes } from './base62.js';

describe('randomBase62', () => {
  for (const length of [0, 1, 22, 40, 1000]) {
    it(`returns exactly ${length} alphabet characters`, () => {
      expect(randomBase62(length)).toMatch(new RegExp(`^[0-9A-Za-z]{${length}}$`));
    });
  }

  it('draws every character about equally often (no modulo bias)', () => {
    const perChar = 2000;
    const counts = new Map<string, number>();
    for (const char of randomBase62(62 * perChar)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // σ ≈ 44 per character; ±300 is about 6.7σ, so a failure means bias, not bad luck. A `% 62`
    // over raw bytes would put the first 8 characters ~25% above the rest (+500).
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(perChar - 300);
      expect(count).toBeLessThan(perChar + 300);
    }
  });

  for (const length of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`refuses the length ${length}`, () => {
      expect(() => randomBase62(length)).toThrow(RangeError);
    });
  }
});

describe('encodeBase62', () => {
  const rows: [n: number, width: number, expected: string][] = [
    [0, 6, '000000'],
    [0, 0, '0'],
    [9, 1, '9'],
    [10, 1, 'A'],
    [36, 1, 'a'],
    [61, 1, 'z'],
    [62, 1, '10'],
    [62, 6, '000010'],
    [3843, 2, 'zz'],
    [2 ** 32 - 1, 6, '4gfFC3'],
    [62 ** 6 - 1, 6, 'zzzzzz'],
    [62 ** 6, 6, '1000000'],
  ];
  for (const [n, width, expected] of rows) {
    it(`writes ${n} at width ${width} as ${expected}`, () => {
      expect(encodeBase62(n, width)).toBe(expected);
    });
  }

  for (const n of [-1, 0.5, Number.NaN, 2 ** 53]) {
    it(`refuses ${n}`, () => {
      expect(() => encodeBase62(n, 6)).toThrow(RangeError);
    });
  }

  it('uses the alphabet 0-9A-Za-z in that order', () => {
    expect(BASE62_ALPHABET).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  });
});

describe('randomPoolBytes', () => {
  it('hands out the requested number of bytes, never the same run twice', () => {
    const draws = Array.from({ length: 2_000 }, () => randomPoolBytes(12));
    expect(draws.every((b) => b.length === 12)).toBe(true);
    expect(new Set(draws.map((b) => b.toString('hex'))).size).toBe(2_000);
  });

  it('covers every byte value across pool refills (well past 4 KiB)', () => {
    const seen = new Set(randomPoolBytes(20_000));
    expect(seen.size).toBe(256);
  });
});
