import { describe, expect, it } from 'vitest';
import { CLIENT_KEY_PATTERN } from '../../contract/clientKey.js';
import { newTimeOrderedId, timeOrderedKey, newClientKey, newId } from './ids.js';

describe('newId', () => {
  for (const prefix of ['acct', 'wgt', 'key', 'vis', 'ses', 'rtk']) {
    it(`makes ${prefix}_ ids of 22 base62 characters`, () => {
      expect(newId(prefix)).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{22}$`));
    });
  }

  it('honours an explicit length', () => {
    expect(newId('vis', 8)).toMatch(/^vis_[0-9A-Za-z]{8}$/);
  });

  it('never repeats in 10,000 draws', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('vis')));
    expect(ids.size).toBe(10_000);
  });
});

describe('newClientKey', () => {
  for (const mode of ['live', 'test'] as const) {
    it(`makes pk_${mode}_ keys of 24 characters that the contract accepts`, () => {
      const key = newClientKey(mode);
      expect(key).toMatch(new RegExp(`^pk_${mode}_[0-9A-Za-z]{24}$`));
      expect(key).toMatch(CLIENT_KEY_PATTERN);
    });
  }
});

describe('newTimeOrderedId', () => {
  const T = Date.UTC(2026, 11, 6, 4, 0, 0);

  it('is the prefix, 8 base62 characters of time and 16 random ones', () => {
    expect(newTimeOrderedId('ses', T)).toMatch(/^ses_[0-9A-Za-z]{24}$/);
    expect(timeOrderedKey(T)).toMatch(/^[0-9A-Za-z]{24}$/);
  });

  it('sorts by creation time, millisecond by millisecond, as text and as SQLite compares it', () => {
    const times = [T - 86_400_000, T - 1, T, T + 1, T + 61_999, Date.UTC(2100, 0, 1)];
    const ids = times.map((t) => newTimeOrderedId('rtk', t));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('never repeats within one millisecond in 10,000 draws', () => {
    expect(new Set(Array.from({ length: 10_000 }, () => newTimeOrderedId('rtk', T))).size).toBe(10_000);
  });
});
