/**
 * A curated subset of the Public Suffix List (https://publicsuffix.org/list/), used only to
 * refuse allowlist wildcards such as `https://*.co.uk` or `https://*.github.io`, which would let
 * every other customer of that registry or host use the widget's key.
 *
 * Why a subset and not the full list: the full list is ~10,000 rules, changes weekly and would
 * need an update pipeline; this check is a guard against an owner's mistake, not a security
 * boundary (Origin is a browser-only control). Every single-label domain is treated as a suffix,
 * which covers all TLDs (and `localhost`); the set below adds the multi-label registry suffixes
 * and shared hosting domains that customers are most likely to deploy under. Each entry was
 * checked against public_suffix_list.dat; add to it when a customer hits a gap.
 */
// Grouped by registry, several to a line; prettier would put one per line.
// prettier-ignore
const MULTI_LABEL_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  // Country-code second-level registries.
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk', 'nhs.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'id.au', 'asn.au',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp',
  'co.nz', 'net.nz', 'org.nz', 'govt.nz', 'ac.nz',
  'com.br', 'net.br', 'org.br', 'gov.br',
  'co.in', 'net.in', 'org.in', 'gov.in', 'ac.in', 'firm.in',
  'co.za', 'org.za', 'gov.za', 'ac.za',
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn',
  'com.mx', 'com.ar', 'com.tr', 'com.tw', 'com.hk', 'com.sg', 'com.my', 'co.kr', 'or.kr',
  'co.il', 'co.id', 'com.ph', 'com.vn', 'com.pk', 'com.ng', 'co.ke', 'com.ua', 'com.pl',
  'co.th', 'com.sa', 'com.eg', 'com.co', 'com.pe',
  // Shared hosting: every customer of these gets a subdomain.
  'github.io', 'githubusercontent.com', 'gitlab.io',
  'vercel.app', 'vercel.dev', 'now.sh',
  'netlify.app',
  'pages.dev', 'workers.dev', 'r2.dev', 'trycloudflare.com',
  'herokuapp.com',
  'web.app', 'firebaseapp.com', 'appspot.com', 'blogspot.com',
  'azurewebsites.net', 'azurestaticapps.net',
  'cloudfront.net', 's3.amazonaws.com', 'elasticbeanstalk.com', 'amplifyapp.com',
  'fly.dev', 'onrender.com', 'deno.dev', 'replit.dev', 'repl.co',
  'ngrok.io', 'ngrok.app', 'ngrok-free.app',
  'myshopify.com', 'wixsite.com',
]);

/** `domain` is a lower-case DNS name without a trailing dot. */
export function isPublicSuffix(domain: string): boolean {
  return !domain.includes('.') || MULTI_LABEL_PUBLIC_SUFFIXES.has(domain);
}
