import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { TestResponse } from './http.js';

/** What a raw request returns: the parsed headers as Node sees them plus the raw pairs. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequestInit {
  method?: string;
  /**
   * Header lines sent exactly as given: a name with an array value is sent as several lines
   * (e.g. two `Origin` headers); a string value may carry Latin-1 bytes (obs-text).
   */
  headers?: ReadonlyArray<readonly [string, string | readonly string[]]>;
  body?: string | Buffer;
  /** The connection to send on; by default one of its own, closed after the answer. */
  agent?: Agent | false;
}

/**
 * `node:http` instead of fetch, for what fetch cannot send: repeated headers, no
 * Content-Type on a body, non-ASCII header bytes, a body without the client adding headers.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  init: RawRequestInit = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init.method ?? 'GET',
        agent: init.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const [name, value] of init.headers ?? []) {
      req.setHeader(name, typeof value === 'string' ? value : [...value]);
    }
    if (init.body !== undefined) {
      // A caller asking for chunked transfer gets no Content-Length: the server must count.
      const chunked = (init.headers ?? []).some(
        ([name]) => name.toLowerCase() === 'transfer-encoding',
      );
      if (!chunked) req.setHeader('content-length', Buffer.byteLength(init.body));
      req.end(init.body);
    } else {
      req.end();
    }
  });
}

/** A raw response in the shape the fetch-based helpers return, so the same assertions apply. */
export function asTestResponse(res: RawResponse): TestResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers, text: res.text, json };
}
