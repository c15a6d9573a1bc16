/**
 * The `/docs` page: Scalar's standalone bundle, configured through the `data-configuration`
 * attribute it reads (no inline script, so the CSP can forbid inline scripts). Paths are
 * relative, so the page also works behind a reverse proxy that mounts the service under a prefix.
 */

/** Scalar options: no web fonts, telemetry, AI agent or MCP integration — nothing off this server. */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
  defaultOpenAllTags: true,
  documentDownloadType: 'json',
  operationTitleSource: 'summary',
  orderRequiredPropertiesFirst: true,
};

/**
 * Scripts, styles, fonts, images and requests only from this origin (Scalar injects its styles,
 * hence `'unsafe-inline'` for styles only); never framed.
 */
export const API_REFERENCE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function renderApiReferencePage(title: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeAttribute(title)}</title>
    <link rel="icon" href="data:,">
  </head>
  <body>
    <noscript>This reference needs JavaScript. The API description itself is <a href="openapi.json">openapi.json</a>.</noscript>
    <script id="api-reference" data-url="openapi.json" data-configuration="${escapeAttribute(JSON.stringify(SCALAR_CONFIGURATION))}"></script>
    <script src="docs/assets/api-reference.js"></script>
  </body>
</html>
`;
}
