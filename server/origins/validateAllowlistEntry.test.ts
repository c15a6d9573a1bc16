import { describe, expect, it } from 'vitest';
import { validateAllowlistEntry } from './validateAllowlistEntry.js';

/** `true`: accepted as written. A RegExp: refused, with a reason matching it. */
type Row = [entry: string, expected: true | RegExp];

const rows: Row[] = [
  ['https://shop.example.com', true],
  ['http://localhost:3000', true],
  ['https://*.example.com', true],
  ['https://*.example.com:8443', true],
  ['https://*.shop.example.com', true],
  ['https://*.example.co.uk', true],
  ['https://*.alice.github.io', true],
  ['https://*.xn--mnchen-3ya.de', true],
  ['https://xn--mnchen-3ya.de', true],
  ['http://192.168.1.10:8080', true],
  ['http://[::1]:8080', true],
  ['http://[2001:db8::1]', true],
  ['https://github.io', true],
  // Not origins at all.
  ['', /empty/],
  ['*', /"\*" would allow every site/],
  ['null', /"null" is shared by sandboxed frames/],
  ['NULL', /"null"/],
  ['shop.example.com', /scheme:\/\/host\[:port\]/],
  [`https://${'a'.repeat(300)}.com`, /at most 256 characters/],
  // Wildcards over a public suffix.
  ['https://*.com', /"\*\.com" covers a public suffix/],
  ['https://*.co.uk', /"\*\.co\.uk" covers a public suffix/],
  ['https://*.github.io', /"\*\.github\.io" covers a public suffix/],
  ['https://*.vercel.app', /public suffix/],
  ['http://*.localhost:3000', /public suffix/],
  // Wildcards not as the whole first label.
  ['https://a*.example.com', /whole first label/],
  ['https://*example.com', /whole first label/],
  ['https://x.*.example.com', /whole first label/],
  ['https://*.*.example.com', /whole first label/],
  ['https://*', /whole first label/],
  ['https://*.192.168.1.1', /must be a DNS name/],
  // Default ports.
  [
    'https://shop.example.com:443',
    /default port :443 for https.*; use https:\/\/shop\.example\.com$/,
  ],
  ['http://shop.example.com:80', /default port :80 for http/],
  ['https://*.example.com:443', /default port :443/],
  // Anything past the host.
  ['https://shop.example.com/', /no trailing slash; use https:\/\/shop\.example\.com$/],
  ['https://shop.example.com/app', /no path/],
  ['https://shop.example.com?x=1', /no query/],
  ['https://shop.example.com#top', /no fragment/],
  ['https://user@shop.example.com', /userinfo/],
  // The URL parser's origin here is https://evil.com: never suggested.
  ['https://shop.example.com@evil.com', /^an origin cannot contain userinfo \(user@\)$/],
  // Hosts.
  ['https://münchen.de', /use punycode.*; use https:\/\/xn--mnchen-3ya\.de$/],
  ['https://Shop.example.com', /origins are lower case.*; use https:\/\/shop\.example\.com$/],
  ['HTTPS://shop.example.com', /origins are lower case/],
  ['https://shop.example.com.', /cannot end with a dot; use https:\/\/shop\.example\.com$/],
  ['https://-shop.example.com', /must be a DNS name/],
  ['https://shop..example.com', /must be a DNS name/],
  ['https://shop_1.example.com', /must be a DNS name/],
  ['http://192.168.001.010', /dotted IPv4/],
  ['http://[0:0:0:0:0:0:0:1]:8080', /RFC 5952.*; use http:\/\/\[::1\]:8080$/],
  ['http://[::1', /RFC 5952/],
  // Ports.
  ['https://shop.example.com:0', /port must be a number from 1 to 65535/],
  ['https://shop.example.com:65536', /port must be a number from 1 to 65535/],
  ['https://shop.example.com:08443', /without leading zeros/],
  ['https://shop.example.com:', /port must be a number/],
  // Schemes.
  ['ftp://files.example.com', /scheme must be http or https, not "ftp"/],
  ['chrome-extension://abcdefghijklmnop', /scheme must be http or https/],
  ['file:///index.html', /scheme must be http or https/],
  // Whitespace and controls.
  [' https://shop.example.com', /spaces or control characters/],
  ['https://shop.example.com\r\n', /spaces or control characters/],
  ['https://shop.example.com\t', /spaces or control characters/],
];

const cases = rows.map(([entry, expected]) => ({
  entry,
  expected,
  name:
    expected === true
      ? `accepts ${JSON.stringify(entry)}`
      : `refuses ${JSON.stringify(entry.length > 60 ? `${entry.slice(0, 40)}…` : entry)} saying ${String(expected)}`,
}));

describe('validateAllowlistEntry', () => {
  for (const { name, entry, expected } of cases) {
    it(name, () => {
      const result = validateAllowlistEntry(entry);
      if (expected === true) {
        expect(result).toEqual({ ok: true, entry });
        return;
      }
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toMatch(expected);
      expect(result.reason).not.toMatch(/[\r\n]/);
    });
  }
});
