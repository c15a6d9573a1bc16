import { errorFromResponse, KatavenError, networkError } from '../shared/katavenError.js';

/** A hung request must not hold the cross-tab refresh lock forever. */
const TIMEOUT_MS = 15_000;

export type ApiRequest = <T>(path: string, body?: object) => Promise<T>;

/**
 * JSON over fetch without cookies. Any failure becomes a `KatavenError`: the server echoes the
 * page's Origin on errors too, so a 403 arrives with its readable message rather than as an
 * opaque CORS failure; no answer at all is `network_error`.
 */
export function createRequest(baseUrl: string): ApiRequest {
  const root = baseUrl.replace(/\/+$/, '');
  return async <T>(path: string, body?: object): Promise<T> => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, TIMEOUT_MS);
    try {
      const init: RequestInit = { credentials: 'omit', signal: controller.signal };
      if (body) {
        init.method = 'POST';
        init.headers = { 'content-type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      const response = await fetch(root + path, init);
      if (!response.ok) throw await errorFromResponse(response);
      return (response.status === 204 ? undefined : await response.json()) as T;
    } catch (error) {
      throw error instanceof KatavenError ? error : networkError(error);
    } finally {
      clearTimeout(timer);
    }
  };
}
