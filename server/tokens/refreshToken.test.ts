import { describe, expect, it } from 'vitest';
import { timeOfTimeOrderedKey } from '../keys/ids.js';
import { refreshTokenHash, refreshTokenRowId } from '../test-support/flowsHelpers.js';
import { generateRefreshToken, refreshTokenLookup, refreshTokenMatches } from './refreshToken.js';

const NOW = Date.parse('2026-12-07T04:00:00.000Z');

describe('refresh tokens', () => {
  it('carry the id of their row, whose key starts with the time they were issued', () => {
    const { token, id, hash } = generateRefreshToken(NOW);
    expect(token).toMatch(/^rt_[0-9A-Za-z]{67}$/);
    expect(id).toBe(refreshTokenRowId(token));
    expect(timeOfTimeOrderedKey(id.slice('rtk_'.length))).toBe(NOW);
    expect(hash).toBe(refreshTokenHash(token));
  });

  it('differ in their secret part even when issued in the same millisecond', () => {
    const tokens = Array.from({ length: 200 }, () => generateRefreshToken(NOW).token);
    expect(new Set(tokens.map((t) => t.slice(27))).size).toBe(200);
  });

  it('are found by the id they carry; tokens in the format issued before by their hash', () => {
    const { token, id } = generateRefreshToken(NOW);
    expect(refreshTokenLookup(token)).toEqual({ id });
    const before = 'rt_8DnNiZhjDFxfLQ3ktdBSTo17dt8fP9SQAzwDRKWWrt9';
    expect(refreshTokenLookup(before)).toEqual({ hash: refreshTokenHash(before) });
  });

  it('find nothing for any other shape', () => {
    const { token } = generateRefreshToken(NOW);
    for (const shape of ['', 'rt_', token.slice(3), token.slice(0, -1), `${token}0`, token.replace('rt_', 'RT_'), `${token.slice(0, -1)}-`, `${token.slice(0, -1)}é`]) {
      expect(refreshTokenLookup(shape)).toBeUndefined();
    }
  });

  it('match only the hash of exactly that token', () => {
    const { token, hash } = generateRefreshToken(NOW);
    const other = generateRefreshToken(NOW);
    expect(refreshTokenMatches(token, hash)).toBe(true);
    expect(refreshTokenMatches(`${token.slice(0, 27)}${other.token.slice(27)}`, hash)).toBe(false);
    expect(refreshTokenMatches(token, other.hash)).toBe(false);
    expect(refreshTokenMatches(token, hash.slice(1))).toBe(false);
  });
});
