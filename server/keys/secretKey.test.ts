import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET } from './base62.js';
import { crc32, portableCrc32 } from './crc32.js';
import {
  displayPrefixOfSecretKey,
  generateSecretKey,
  hashSecretKey,
  parseBearerSecretKey,
  parseSecretKey,
} from './secretKey.js';

const KEY_FORMAT = /^sk_(live|test)_kt_[0-9A-Za-z]{40}[0-9A-Za-z]{6}$/;

// A fixed body and its checksum, computed independently of the module under test.
const VECTOR_BODY = 'sk_test_kt_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd';
const VECTOR_CHECKSUM = '2FDpHF';
const VECTOR = VECTOR_BODY + VECTOR_CHECKSUM;

function independentBase62(n: number): string {
  let digits = '';
  for (let rest = n; digits.length < 6; rest = Math.floor(rest / 62)) {
    digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
  }
  return digits;
}

describe('generateSecretKey', () => {
  for (const mode of ['live', 'test'] as const) {
    it(`makes ${mode} keys in the documented format that parse back to ${mode}`, () => {
      for (let i = 0; i < 200; i += 1) {
        const key = generateSecretKey(mode);
        expect(key).toMatch(KEY_FORMAT);
        expect(key.startsWith(`sk_${mode}_kt_`)).toBe(true);
        expect(parseSecretKey(key)).toEqual({ mode });
      }
    });
  }

  it('never repeats in 10,000 draws', () => {
    const keys = new Set(Array.from({ length: 10_000 }, () => generateSecretKey('live')));
    expect(keys.size).toBe(10_000);
  });
});

describe('the checksum', () => {
  it('is the zlib CRC32 of the body, base62, padded to 6 characters', () => {
    expect(independentBase62(zlib.crc32(VECTOR_BODY))).toBe(VECTOR_CHECKSUM);
    expect(parseSecretKey(VECTOR)).toEqual({ mode: 'test' });
  });

  it('catches every single-character substitution in a sample of keys', () => {
    for (let sample = 0; sample < 5; sample += 1) {
      const key = generateSecretKey(sample % 2 === 0 ? 'live' : 'test');
      for (let position = 0; position < key.length; position += 1) {
        for (const replacement of BASE62_ALPHABET + '_-') {
          if (replacement === key[position]) continue;
          const altered = key.slice(0, position) + replacement + key.slice(position + 1);
          expect(parseSecretKey(altered), altered).toBeNull();
        }
      }
    }
  });

  it('ties the mode in: a live key relabelled test fails', () => {
    const key = generateSecretKey('live');
    expect(parseSecretKey(key.replace('sk_live_', 'sk_test_'))).toBeNull();
  });

  it('is computed the same by the fallback CRC32 as by zlib', () => {
    // The standard CRC-32/ISO-HDLC check value.
    expect(portableCrc32('123456789')).toBe(0xcbf43926);
    for (const text of ['', 'a', VECTOR_BODY, generateSecretKey('live'), 'ünïcødé']) {
      expect(portableCrc32(text)).toBe(zlib.crc32(text));
      expect(crc32(text)).toBe(zlib.crc32(text));
    }
  });
});

describe('parseSecretKey', () => {
  const body40 = VECTOR_BODY.slice('sk_test_kt_'.length);
  const rows: [label: string, value: string][] = [
    ['an empty string', ''],
    ['a public client key', `pk_live_kt_${body40}${VECTOR_CHECKSUM}`],
    ['a plain pk_test_ key', 'pk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    ['an sk_live_ key without kt_', `sk_live_${body40}${VECTOR_CHECKSUM}`],
    ['an sk_test_ key without kt_ but the same length', `sk_test_xx_${body40}${VECTOR_CHECKSUM}`],
    ['an upper-case mode', `sk_TEST_kt_${body40}${VECTOR_CHECKSUM}`],
    ['an upper-case prefix', `SK_test_kt_${body40}${VECTOR_CHECKSUM}`],
    ['an unknown mode', `sk_prod_kt_${body40}${VECTOR_CHECKSUM}`],
    ['a truncated key', VECTOR.slice(0, -1)],
    ['a key without its checksum', VECTOR_BODY],
    ['a key with a character appended', `${VECTOR}0`],
    ['a key with a newline appended', `${VECTOR}\n`],
    ['a key with a space in front', ` ${VECTOR.slice(1)}`],
    ['a 10 KB string', `${VECTOR}${'a'.repeat(10_240)}`],
    ['a 10 KB string of one character', 'a'.repeat(10_240)],
    ['a key with a hyphen', VECTOR.replace('A', '-')],
    ['a key with a non-ASCII letter', VECTOR.replace('A', 'Ä')],
    ['a key with a wrong checksum', `${VECTOR_BODY}2FDpHG`],
    ['a key with a lower-cased checksum', `${VECTOR_BODY}${VECTOR_CHECKSUM.toLowerCase()}`],
  ];
  for (const [label, value] of rows) {
    it(`refuses ${label}`, () => {
      expect(parseSecretKey(value)).toBeNull();
    });
  }
});

describe('hashSecretKey', () => {
  it('is the SHA-256 hex of the key', () => {
    const key = generateSecretKey('test');
    expect(hashSecretKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashSecretKey(VECTOR)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between keys', () => {
    expect(hashSecretKey(generateSecretKey('live'))).not.toBe(
      hashSecretKey(generateSecretKey('live')),
    );
  });
});

describe('displayPrefixOfSecretKey', () => {
  it('shows the prefix, 4 random characters and the last 4', () => {
    expect(displayPrefixOfSecretKey(VECTOR)).toBe('sk_test_kt_0123…DpHF');
  });

  it('never shows more than 8 characters of the key after the prefix', () => {
    const key = generateSecretKey('live');
    const shown = displayPrefixOfSecretKey(key);
    expect(shown).toMatch(/^sk_live_kt_[0-9A-Za-z]{4}…[0-9A-Za-z]{4}$/);
    expect(shown.replace('…', '').length).toBe('sk_live_kt_'.length + 8);
  });

  it('refuses what is not a secret key', () => {
    expect(() => displayPrefixOfSecretKey('pk_live_4eC39HqLyjWDarjtT1zdp7dc')).toThrow(RangeError);
  });
});

describe('parseBearerSecretKey', () => {
  const liveKey = generateSecretKey('live');
  const rows: [header: string | undefined, expected: string | null][] = [
    [`Bearer ${VECTOR}`, VECTOR],
    [`bearer ${VECTOR}`, VECTOR],
    [`BEARER ${VECTOR}`, VECTOR],
    [`bEaReR ${liveKey}`, liveKey],
    [undefined, null],
    ['', null],
    ['Bearer', null],
    ['Bearer ', null],
    [VECTOR, null],
    [`Bearer  ${VECTOR}`, null],
    [`Bearer\t${VECTOR}`, null],
    [`Bearer ${VECTOR} `, null],
    [`Bearer ${VECTOR} extra`, null],
    [`Bearer ${VECTOR},Bearer ${VECTOR}`, null],
    [`Basic ${VECTOR}`, null],
    [`Token ${VECTOR}`, null],
    [`Bearer ${VECTOR_BODY}2FDpHG`, null],
    ['Bearer pk_live_4eC39HqLyjWDarjtT1zdp7dc', null],
    [`Bearer "${VECTOR}"`, null],
    [`Bearer ${'a'.repeat(10_240)}`, null],
  ];
  for (const [header, expected] of rows) {
    const shown =
      header === undefined
        ? 'no header'
        : JSON.stringify(header.length > 80 ? `${header.slice(0, 40)}…` : header);
    it(`${expected === null ? 'refuses' : 'takes the key from'} ${shown}`, () => {
      expect(parseBearerSecretKey(header)).toBe(expected);
    });
  }
});
