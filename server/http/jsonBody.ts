import express, { type RequestHandler } from 'express';
import { ApiError } from '../flows/apiError.js';
import { routesByPath } from './routeTable.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

const parseJson: RequestHandler = express.json({ limit: BODY_LIMIT_BYTES, strict: true, inflate: false, type: () => true });

/** `application/json`, with no charset or UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/**
 * Gatekeeper for POST bodies, before any route code: compressed bodies are refused (a 16 KiB
 * zip bomb is still a bomb), so is anything that is not JSON; the parser enforces the size limit
 * while streaming, so an over-long body is never buffered whole.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || routesByPath.get(req.path)?.method !== 'POST') {
    next();
    return;
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    next(new ApiError('unsupported_encoding'));
    return;
  }
  if (!isJson(req.headers['content-type'])) {
    next(new ApiError('unsupported_media_type'));
    return;
  }
  parseJson(req, res, next);
};
