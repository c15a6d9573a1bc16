import { describe, expect, it } from 'vitest';
import { CLIENT_KEY_PATTERN } from '../../contract/clientKey.js';
import { newClientKey, newId } from './ids.js';

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
