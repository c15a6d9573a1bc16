import type { Request, RequestHandler } from 'express';
import { ApiError } from '../flows/apiError.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** `application/json`, with no charset or UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/**
 * Why a POST body is refused before it is read, if it is: compressed bodies (a 16 KiB zip bomb
 * is still a bomb) and anything that is not JSON.
 */
export function refuseBody(req: Request): ApiError | undefined {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return new ApiError('unsupported_encoding');
  if (!isJson(req.headers['content-type'])) return new ApiError('unsupported_media_type');
  return undefined;
}

/** RFC 8259 §2: JSON whitespace. The body must be an object or array (strict, like body-parser's `strict`). */
const FIRST_SIGNIFICANT = /^[\x20\x09\x0a\x0d]*(.)/s;

/**
 * The request's JSON value: an empty body is `{}`, a UTF-8 byte order mark is dropped (RFC 8259
 * §8.1 lets a parser ignore it) and invalid UTF-8 becomes U+FFFD, as body-parser did.
 */
export function parseJsonText(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  const text = utf8.decode(bytes);
  const first = FIRST_SIGNIFICANT.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new ApiError('invalid_json');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('invalid_json');
  }
}

const utf8 = new TextDecoder('utf-8');

/**
 * Reads the JSON body into `req.body`, never holding more than the limit: a declared or actual
 * size over it is answered 413 once the client has finished sending (answering mid-upload would
 * reset a client still writing), the excess is read and dropped, and the server's request timeout
 * bounds how long that may take. A body cut off by the client is `invalid_json`.
 *
 * Replaces body-parser's `json()`, whose path (raw-body, iconv-lite, on-finished, content-type and
 * type-is, an AsyncResource per body) is general machinery our bodies under 1 KiB do not need;
 * the content type and encoding are already checked by `refuseBody` (docs/performance.md,
 * "JSON body reader").
 */
export function readJsonBody(limit: number = BODY_LIMIT_BYTES): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length']);
    let failure: ApiError | undefined = declared > limit ? new ApiError('body_too_large') : undefined;
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: ApiError | undefined) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (error !== undefined) {
        next(error);
        return;
      }
      try {
        req.body = parseJsonText(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      } catch (parseError) {
        next(parseError);
        return;
      }
      next();
    };
    const onData = (chunk: Buffer) => {
      if (failure !== undefined) return;
      size += chunk.length;
      if (size > limit) {
        failure = new ApiError('body_too_large');
        chunks = [];
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(failure);
    const onAbort = () => settle(new ApiError('invalid_json'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  };
}
