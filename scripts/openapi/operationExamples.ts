/**
 * Fills in what a reader copies from: an example for every request and response body that has
 * none, and a curl sample (`x-codeSamples`) per operation, all assembled from the examples the
 * contract's schemas carry.
 */
import type {
  MediaTypeObject,
  OperationObject,
  ParameterObject,
  RequestBodyObject,
  ResponseObject,
} from 'openapi3-ts/oas31';
import { curlSample } from './curlSample.js';
import { exampleFromSchema } from './exampleFromSchema.js';

function fillExample(
  media: MediaTypeObject,
  schemas: Readonly<Record<string, unknown>>,
  where: string,
): void {
  if (media.example !== undefined || media.examples !== undefined || media.schema === undefined)
    return;
  media.example = exampleFromSchema(media.schema, schemas, where);
}

function stringExample(
  parameter: ParameterObject,
  schemas: Readonly<Record<string, unknown>>,
  where: string,
): string {
  const value = exampleFromSchema(parameter.schema, schemas, where);
  if (typeof value !== 'string') throw new Error(`${where}: a parameter example must be a string`);
  return value;
}

export function addOperationExamples(
  operation: OperationObject,
  method: string,
  path: string,
  schemas: Readonly<Record<string, unknown>>,
): void {
  const id = operation.operationId ?? `${method} ${path}`;
  const body = (operation.requestBody as RequestBodyObject | undefined)?.content[
    'application/json'
  ];
  if (body !== undefined) fillExample(body, schemas, `${id} request body`);
  for (const [status, response] of Object.entries(operation.responses ?? {}) as [
    string,
    ResponseObject,
  ][]) {
    for (const [type, media] of Object.entries(response.content ?? {})) {
      fillExample(media, schemas, `${id} ${status} ${type}`);
    }
  }

  const parameters = (operation.parameters ?? []) as ParameterObject[];
  const query: Record<string, string> = {};
  const headers: [string, string][] = [];
  for (const parameter of parameters) {
    const where = `${id} parameter ${parameter.name}`;
    if (parameter.in === 'query') query[parameter.name] = stringExample(parameter, schemas, where);
    // The browser sends Origin on every cross-origin call; curl has to say it.
    if (parameter.in === 'header' && parameter.name === 'Origin') {
      headers.push([parameter.name, stringExample(parameter, schemas, where)]);
    }
  }
  const source = curlSample({
    method: method.toUpperCase(),
    path,
    query,
    headers,
    secretKey: (operation.security ?? []).length > 0,
    body: body?.example,
  });
  operation['x-codeSamples'] = [{ lang: 'Shell', label: 'curl', source }];
}
