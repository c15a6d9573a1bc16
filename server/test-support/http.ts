/** A response as tests look at it: status, headers and the body as text and (when JSON) parsed. */
export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface TestRequest {
  method?: string;
  origin?: string;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function request(
  baseUrl: string,
  path: string,
  init: TestRequest = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.origin !== undefined) headers.origin = init.origin;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Names of every `Access-Control-*` header in a response. */
export function corsHeaderNames(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
}
