import { describe, expect, it } from 'vitest';
import { createOriginMatcher } from './originMatcher.js';

type Row = [
  entries: readonly string[],
  allowLoopback: boolean,
  origin: string | undefined,
  expected: boolean,
];

const SHOP = ['https://shop.example.com'];
const WILD = ['https://*.example.com'];
const WILD_8443 = ['https://*.example.com:8443'];
const LAN = ['http://192.168.1.10:8080'];
const V6 = ['http://[2001:db8::1]'];
const PUNY = ['https://xn--mnchen-3ya.de'];
const LIVE = false;
const TEST = true;

const rows: Row[] = [
  // Exact entries match byte for byte, nothing normalised.
  [SHOP, LIVE, 'https://shop.example.com', true],
  [SHOP, LIVE, 'https://SHOP.example.com', false],
  [SHOP, LIVE, 'HTTPS://shop.example.com', false],
  [SHOP, LIVE, 'https://shop.example.com:443', false],
  [SHOP, LIVE, 'https://shop.example.com/', false],
  [SHOP, LIVE, 'https://shop.example.com.', false],
  [SHOP, LIVE, 'https://shop.example.com/cart', false],
  [SHOP, LIVE, 'https://shop.example.com?x=1', false],
  [SHOP, LIVE, 'https://shop.example.com#top', false],
  [SHOP, LIVE, 'http://shop.example.com', false],
  [SHOP, LIVE, 'https://shop.example.com:8443', false],
  // Userinfo: the real host of the first one is evil.com.
  [SHOP, LIVE, 'https://shop.example.com@evil.com', false],
  [SHOP, LIVE, 'https://user@shop.example.com', false],
  // Absent, opaque and joined values.
  [SHOP, LIVE, undefined, false],
  [SHOP, LIVE, 'null', false],
  [SHOP, LIVE, '', false],
  [SHOP, LIVE, 'https://shop.example.com, https://shop.example.com', false],
  [SHOP, LIVE, 'https://shop.example.com,https://shop.example.com', false],
  [SHOP, LIVE, 'https://evil.com, https://shop.example.com', false],
  // Whitespace and control characters.
  [SHOP, LIVE, ' https://shop.example.com', false],
  [SHOP, LIVE, 'https://shop.example.com ', false],
  [SHOP, LIVE, 'https://shop.example.com\t', false],
  [SHOP, LIVE, 'https://shop.example.com\r\n', false],
  [SHOP, LIVE, 'https://shop.example.com\r\nX-Evil: 1', false],
  [SHOP, LIVE, 'https://shop.example.com\u0000', false],
  // Look-alikes of an exact entry.
  [SHOP, LIVE, 'https://shop.example.com.evil.com', false],
  [SHOP, LIVE, 'https://evilshop.example.com', false],
  [SHOP, LIVE, 'https://a.shop.example.com', false],
  // Over-long.
  [SHOP, LIVE, `https://${'a'.repeat(8180)}.example.com`, false],
  [WILD, LIVE, `https://${'a.'.repeat(4090)}example.com`, false],
  // Non-web schemes never match, even when someone stored one.
  [SHOP, LIVE, 'file://', false],
  [SHOP, LIVE, 'file:///etc/passwd', false],
  [['chrome-extension://abcdefghijklmnop'], LIVE, 'chrome-extension://abcdefghijklmnop', false],
  [SHOP, LIVE, 'ws://shop.example.com', false],
  [SHOP, LIVE, 'javascript:alert(1)', false],
  // Internationalised names: only the punycode form is ever sent or stored.
  [PUNY, LIVE, 'https://xn--mnchen-3ya.de', true],
  [PUNY, LIVE, 'https://münchen.de', false],
  [['https://münchen.de'], LIVE, 'https://münchen.de', false],
  // Wildcards: any depth below the domain, never the domain itself.
  [WILD, LIVE, 'https://a.example.com', true],
  [WILD, LIVE, 'https://a.b.example.com', true],
  [WILD, LIVE, 'https://xn--mnchen-3ya.example.com', true],
  [WILD, LIVE, 'https://example.com', false],
  [WILD, LIVE, 'https://.example.com', false],
  [WILD, LIVE, 'https://a..example.com', false],
  [WILD, LIVE, 'https://-a.example.com', false],
  [WILD, LIVE, 'https://a_b.example.com', false],
  // Wildcards against suffix confusion.
  [WILD, LIVE, 'https://evilexample.com', false],
  [WILD, LIVE, 'https://aexample.com', false],
  [WILD, LIVE, 'https://a.example.com.evil.com', false],
  [WILD, LIVE, 'https://x@a.example.com', false],
  // Wildcards keep scheme and port.
  [WILD, LIVE, 'http://a.example.com', false],
  [WILD, LIVE, 'https://a.example.com:8443', false],
  [WILD, LIVE, 'https://a.example.com:443', false],
  [WILD, LIVE, 'https://A.example.com', false],
  [WILD, LIVE, 'https://a.example.com.', false],
  [WILD, LIVE, 'https://a.example.com/', false],
  [WILD_8443, LIVE, 'https://a.example.com:8443', true],
  [WILD_8443, LIVE, 'https://a.example.com', false],
  [WILD_8443, LIVE, 'https://a.example.com:9443', false],
  [WILD_8443, LIVE, 'https://example.com:8443', false],
  // Several entries; entries the validator refuses are skipped (fail closed).
  [['https://*.example.com', 'https://shop.other.com'], LIVE, 'https://shop.other.com', true],
  [['https://*.example.com', 'https://shop.other.com'], LIVE, 'https://a.example.com', true],
  [['https://*.*.example.com'], LIVE, 'https://a.b.example.com', false],
  [['https://*.com'], LIVE, 'https://example.com', false],
  [['https://*.co.uk'], LIVE, 'https://shop.co.uk', false],
  [['*'], LIVE, 'https://shop.example.com', false],
  [['null'], LIVE, 'null', false],
  [['https://shop.example.com/'], LIVE, 'https://shop.example.com/', false],
  [[], LIVE, 'https://shop.example.com', false],
  // IPv4 and IPv6 hosts, only in their canonical forms.
  [LAN, LIVE, 'http://192.168.1.10:8080', true],
  [LAN, LIVE, 'http://192.168.001.010:8080', false],
  [LAN, LIVE, 'http://3232235786:8080', false],
  [V6, LIVE, 'http://[2001:db8::1]', true],
  [V6, LIVE, 'http://[2001:DB8::1]', false],
  [V6, LIVE, 'http://[2001:db8:0:0:0:0:0:1]', false],
  // Loopback: any port on test-mode widgets, only when listed on live ones.
  [SHOP, TEST, 'http://localhost:5173', true],
  [SHOP, TEST, 'http://localhost', true],
  [SHOP, TEST, 'https://localhost:8443', true],
  [SHOP, TEST, 'http://127.0.0.1:3000', true],
  [SHOP, TEST, 'http://[::1]:3000', true],
  [SHOP, TEST, 'https://shop.example.com', true],
  [SHOP, LIVE, 'http://localhost:5173', false],
  [SHOP, LIVE, 'http://127.0.0.1:3000', false],
  [SHOP, LIVE, 'http://[::1]:3000', false],
  [['http://localhost:3000'], LIVE, 'http://localhost:3000', true],
  [['http://localhost:3000'], LIVE, 'http://localhost:3001', false],
  // Loopback look-alikes and non-canonical loopback forms.
  [SHOP, TEST, 'http://localhost.evil.com', false],
  [SHOP, TEST, 'http://127.0.0.1.nip.io', false],
  [SHOP, TEST, 'http://sub.localhost:3000', false],
  [SHOP, TEST, 'http://localhost.:3000', false],
  [SHOP, TEST, 'http://LOCALHOST:3000', false],
  [SHOP, TEST, 'http://127.0.0.2:3000', false],
  [SHOP, TEST, 'http://[0:0:0:0:0:0:0:1]:3000', false],
  [SHOP, TEST, 'http://localhost:80', false],
  [SHOP, TEST, 'http://localhost:0', false],
  [SHOP, TEST, 'http://localhost:65536', false],
  [SHOP, TEST, 'http://localhost:03000', false],
  [SHOP, TEST, 'ws://localhost:3000', false],
  [SHOP, TEST, 'http://localhost:3000, https://evil.com', false],
  [SHOP, TEST, 'null', false],
];

function show(origin: string | undefined): string {
  if (origin === undefined) return 'no Origin';
  const quoted = JSON.stringify(origin.length > 60 ? origin.slice(0, 40) : origin);
  return origin.length > 60 ? `${quoted}… (${origin.length} chars)` : quoted;
}

const cases = rows.map(([entries, allowLoopback, origin, expected]) => ({
  entries,
  allowLoopback,
  origin,
  expected,
  name:
    `${expected ? 'accepts' : 'refuses'} ${show(origin)} for ` +
    `${entries.length === 0 ? 'an empty allowlist' : JSON.stringify(entries)} on a ` +
    `${allowLoopback ? 'test-mode' : 'live'} widget`,
}));

describe('createOriginMatcher', () => {
  for (const { name, entries, allowLoopback, origin, expected } of cases) {
    it(name, () => {
      expect(createOriginMatcher(entries, { allowLoopback })(origin)).toBe(expected);
    });
  }
});
