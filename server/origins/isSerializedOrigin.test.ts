import { describe, expect, it } from 'vitest';
import { isSerializedOrigin } from './isSerializedOrigin.js';

const rows: [value: string, echoed: boolean][] = [
  ['https://shop.example.com', true],
  // Not canonical, but well-formed: echoed so the page can read the 403 message.
  ['https://SHOP.example.com', true],
  ['https://shop.example.com:443', true],
  ['http://localhost:3000', true],
  ['http://127.0.0.1:3000', true],
  ['http://[::1]:3000', true],
  ['chrome-extension://abcdefghijklmnop', true],
  [`https://${'a'.repeat(244)}.com`, true],
  [`https://${'a'.repeat(245)}.com`, false],
  ['null', false],
  ['', false],
  ['https://a.com, https://b.com', false],
  ['https://a.com,https://b.com', false],
  ['https://a.com/', false],
  ['https://a.com/path', false],
  ['https://a.com?q=1', false],
  ['https://a.com#f', false],
  ['https://user@a.com', false],
  ['https://a .com', false],
  [' https://a.com', false],
  ['https://a.com\t', false],
  ['https://a.com\n', false],
  ['https://a.com\r\nSet-Cookie: x=1', false],
  ['https://münchen.de', false],
  ['file://', false],
  ['https://', false],
  ['https://a.com:', false],
  ['https://a.com:123456', false],
  ['//a.com', false],
  ['a.com', false],
  ['1https://a.com', false],
  ['https://a%2ecom', false],
];

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 40)}…` : value);
}

const cases = rows.map(([value, echoed]) => ({
  value,
  echoed,
  name: `${echoed ? 'echoes' : 'never echoes'} ${show(value)} (${value.length} chars)`,
}));

describe('isSerializedOrigin', () => {
  for (const { name, value, echoed } of cases) {
    it(name, () => {
      expect(isSerializedOrigin(value)).toBe(echoed);
    });
  }
});
