import * as z from 'zod';

/** The OpenAPI 3.1 description of this API, as `GET /openapi.json` serves it. */
export const OpenApiDocument = z
  .looseObject({
    openapi: z.string().meta({ description: 'OpenAPI version.', example: '3.1.0' }),
    info: z.looseObject({
      title: z.string().meta({ example: 'Kataven widget auth API' }),
      version: z.string().meta({ description: 'The service version.', example: '0.1.0' }),
    }),
    paths: z.record(z.string(), z.unknown()).meta({ description: 'Every operation, by path.' }),
  })
  .meta({
    id: 'OpenApiDocument',
    description:
      'An OpenAPI 3.1 document (the same as `openapi.json` in the repository): feed it to a client generator such as openapi-typescript.',
  });

/** The API reference page: HTML that loads the reference script and the document from this server. */
export const ApiReferencePage = z.string().meta({
  description:
    'An HTML page; it loads `/docs/assets/api-reference.js` and `/openapi.json` from this server only.',
  example: '<!doctype html>\n<html lang="en">…</html>\n',
});

/** The interactive reference's script (Scalar API Reference, served from the copy committed under vendor/). */
export const ApiReferenceScript = z.string().meta({
  description:
    'The Scalar API Reference standalone bundle, served from this server so the page needs no CDN.',
  example: '(function(){…})();',
});
