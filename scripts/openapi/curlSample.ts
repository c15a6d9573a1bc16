/**
 * A curl command for an operation, assembled from the contract's examples: the real path, the
 * `Origin` a browser would send where the route reads it, `Authorization` only where the route
 * takes the secret key (from an environment variable, so the key stays out of shell history).
 */

/** The base URL used in samples: where `npm start` listens. */
export const SAMPLE_BASE_URL = 'http://localhost:8787';

/** The variable the samples read the secret key from. */
export const SECRET_KEY_VARIABLE = 'KATAVEN_SECRET_KEY';

export interface CurlSampleInput {
  method: string;
  path: string;
  query?: Readonly<Record<string, string>>;
  headers?: readonly (readonly [string, string])[];
  secretKey?: boolean;
  body?: unknown;
}

/** POSIX shell single-quoting: everything literal, a `'` closes, escapes and reopens. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlSample(input: CurlSampleInput): string {
  const query = Object.entries(input.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  const url = `${SAMPLE_BASE_URL}${input.path}${query === '' ? '' : `?${query}`}`;
  const hasBody = input.body !== undefined;
  // curl infers GET without a body and POST with one; any other combination needs -X.
  const inferred = hasBody ? 'POST' : 'GET';
  const parts = [
    `curl${input.method === inferred ? '' : ` -X ${input.method}`} ${shellQuote(url)}`,
  ];
  for (const [name, value] of input.headers ?? [])
    parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (input.secretKey === true) parts.push(`-H "Authorization: Bearer $${SECRET_KEY_VARIABLE}"`);
  if (hasBody) {
    parts.push(`-H 'Content-Type: application/json'`);
    // One field reads best on one line, several one per line.
    const fields =
      typeof input.body === 'object' && input.body !== null ? Object.keys(input.body).length : 0;
    parts.push(`-d ${shellQuote(JSON.stringify(input.body, null, fields > 1 ? 2 : 0))}`);
  }
  return parts.join(' \\\n  ');
}
