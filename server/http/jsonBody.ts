import express, { type RequestHandler } from 'express';
import { ApiError } from '../flows/apiError.js';
import { routesByPath } from './routeTable.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

const parseJson: RequestHandler = express.json({ limit: BODY_LIMIT_BYTES, strict: true, inflate: false, type: () => true });

/** `application/json`, optionally with parameters (a charset other than UTF-8 is refused by the parser). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/json';
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
