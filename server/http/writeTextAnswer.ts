import type { IncomingMessage, ServerResponse } from 'node:http';
import { BASE_HEADERS, requestIdFor } from './baseHeaders.js';

/** The request's path without its query, read before Express has parsed anything. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * A one-line `text/plain` answer written below Express (while starting, or shedding load), with
 * the base headers every answer carries, in one `writeHead`. `headers` is a flat name/value list.
 */
export function writeTextAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: readonly string[] = [],
): void {
  const all = [
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'X-Request-Id',
    requestIdFor(req.headers['x-request-id']),
  ];
  for (const [name, value] of BASE_HEADERS) all.push(name, value);
  all.push(...headers);
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : body);
}
