import { describe, expect, it } from 'vitest';
import { parseCanonicalOrigin, type CanonicalOrigin } from './parseCanonicalOrigin.js';

const rows: [value: string, expected: CanonicalOrigin | null][] = [
  ['https://shop.example.com', { scheme: 'https', host: 'shop.example.com', port: null }],
  ['http://shop.example.com:8080', { scheme: 'http', host: 'shop.example.com', port: 8080 }],
  ['http://shop.example.com:443', { scheme: 'http', host: 'shop.example.com', port: 443 }],
  ['https://shop.example.com:80', { scheme: 'https', host: 'shop.example.com', port: 80 }],
  ['https://localhost:1', { scheme: 'https', host: 'localhost', port: 1 }],
  ['https://a.b:65535', { scheme: 'https', host: 'a.b', port: 65535 }],
  ['https://xn--mnchen-3ya.de', { scheme: 'https', host: 'xn--mnchen-3ya.de', port: null }],
  ['https://1password.com', { scheme: 'https', host: '1password.com', port: null }],
  ['http://0.0.0.0', { scheme: 'http', host: '0.0.0.0', port: null }],
  ['http://255.255.255.255', { scheme: 'http', host: '255.255.255.255', port: null }],
  ['http://[::1]:3000', { scheme: 'http', host: '[::1]', port: 3000 }],
  ['http://[::]', { scheme: 'http', host: '[::]', port: null }],
  ['http://[2001:db8::1:0:0:1]', { scheme: 'http', host: '[2001:db8::1:0:0:1]', port: null }],
  ['http://[1:0:2:3:4:5:6:7]', { scheme: 'http', host: '[1:0:2:3:4:5:6:7]', port: null }],
  [`https://${'a'.repeat(63)}.com`, { scheme: 'https', host: `${'a'.repeat(63)}.com`, port: null }],
  ['https://shop.example.com:443', null],
  ['http://shop.example.com:80', null],
  ['https://shop.example.com:0', null],
  ['https://shop.example.com:65536', null],
  ['https://shop.example.com:0443', null],
  ['https://Shop.example.com', null],
  ['Https://shop.example.com', null],
  ['https://shop.example.com.', null],
  ['https://shop.example.com/', null],
  ['https://.example.com', null],
  ['https://shop-.example.com', null],
  [`https://${'a'.repeat(64)}.com`, null],
  ['https://a.123', null],
  ['https://a.0x1f', null],
  ['http://1.2.3', null],
  ['http://256.1.1.1', null],
  ['http://01.2.3.4', null],
  ['http://[::0:1]', null],
  ['http://[0:0:0:0:0:0:0:1]', null],
  ['http://[2001:db8:0:0:1::1]', null],
  ['http://[2001:0db8::1]', null],
  ['http://[::ffff:1.2.3.4]', null],
  ['http://[::1', null],
  ['http://[1:2:3:4:5:6:7:8:9]', null],
  ['http://[1::2::3]', null],
  ['https://*.example.com', null],
  ['wss://shop.example.com', null],
  [`https://${'a.'.repeat(130)}com`, null],
];

const cases = rows.map(([value, expected]) => ({
  value,
  expected,
  name: `${expected === null ? 'refuses' : 'parses'} ${JSON.stringify(value.length > 60 ? `${value.slice(0, 40)}…` : value)}`,
}));

describe('parseCanonicalOrigin', () => {
  for (const { name, value, expected } of cases) {
    it(name, () => {
      expect(parseCanonicalOrigin(value)).toEqual(expected);
    });
  }
});
