import { describe, expect, it } from 'vitest';
import { ApiError } from '../flows/apiError.js';
import { parseJsonText } from './jsonBody.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseJsonText', () => {
  it('reads an empty body as an empty object', () => {
    expect(parseJsonText(Buffer.alloc(0))).toEqual({});
  });

  it('parses an object or an array, leading JSON whitespace allowed', () => {
    expect(parseJsonText(bytes(' \t\r\n{"client_key":"ck_x"}'))).toEqual({ client_key: 'ck_x' });
    expect(parseJsonText(bytes('[1,2]'))).toEqual([1, 2]);
  });

  it('drops a UTF-8 byte order mark (RFC 8259 §8.1)', () => {
    expect(parseJsonText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('{"a":1}')]))).toEqual({ a: 1 });
  });

  it('turns invalid UTF-8 into U+FFFD instead of failing', () => {
    expect(parseJsonText(Buffer.concat([bytes('{"a":"'), Buffer.from([0xff]), bytes('"}')]))).toEqual({ a: '\uFFFD' });
  });

  it.each([
    ['a bare string', '"x"'],
    ['a number', '42'],
    ['null', 'null'],
    ['a non-JSON whitespace before the object', '\u00a0{}'],
    ['truncated JSON', '{"a":'],
    ['only whitespace', '   '],
  ])('refuses %s as invalid JSON', (_name, text) => {
    expect(() => parseJsonText(bytes(text))).toThrow(ApiError);
    try {
      parseJsonText(bytes(text));
    } catch (error) {
      expect((error as ApiError).message).toBe('Invalid JSON body');
    }
  });
});
