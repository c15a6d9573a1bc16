import { hash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenAPIObject, OperationObject } from 'openapi3-ts/oas31';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import * as z from 'zod';
import { contract, listRoutes } from '../../contract/index.js';
import { launchChromium } from '../../clients/test-support/launchChromium.js';
import { buildOpenApiDocument } from '../../scripts/openapi/buildOpenApiDocument.js';
import { request } from '../test-support/http.js';
import { serverTest as it } from '../test-support/serverTest.js';

const committed = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const VendoredSource = z.object({ package: z.literal('@scalar/api-reference'), version: z.string(), sha256: z.string() });

/** The operations the reference lists: every one but the HEAD twins it leaves out (`x-scalar-ignore`). */
const summaries = Object.values(committed.paths ?? {}).flatMap((item) =>
  Object.values(item as Record<string, OperationObject>)
    .filter((op) => op['x-scalar-ignore'] !== true)
    .map((op) => op.summary ?? ''),
);

let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
});

describe('GET /openapi.json', () => {
  it('serves the committed openapi.json, which is exactly what the contract generates', async ({
    server,
  }) => {
    const res = await request(server.baseUrl, '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual(committed);
    expect(res.json).toEqual(buildOpenApiDocument());
  });
});

describe('GET /docs', () => {
  it('is an HTML page that loads its script and the document from this server only, under a same-origin CSP', async ({
    server,
  }) => {
    const res = await request(server.baseUrl, '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(
      /default-src 'self'; script-src 'self';/,
    );
    expect(res.text).toContain('<script src="docs/assets/api-reference.js"></script>');
    expect(res.text).toContain('data-url="openapi.json"');
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);

    const script = await request(server.baseUrl, '/docs/assets/api-reference.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(script.text.length).toBeGreaterThan(100_000);
  });

  it('serves the committed Scalar bundle, byte for byte the file its source.json records', async ({ server }) => {
    const vendored = readFileSync(new URL('../../vendor/scalar-api-reference/standalone.js', import.meta.url));
    const source = VendoredSource.parse(
      JSON.parse(readFileSync(new URL('../../vendor/scalar-api-reference/source.json', import.meta.url), 'utf8')),
    );
    expect(hash('sha256', vendored)).toBe(source.sha256);
    const script = await request(server.baseUrl, '/docs/assets/api-reference.js');
    expect(script.text).toBe(vendored.toString('utf8'));
  });

  it(
    'renders every operation in headless Chromium with every non-local request blocked',
    { timeout: 120_000 },
    async ({ server }) => {
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const blocked: string[] = [];
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname)) {
          await route.continue();
        } else {
          blocked.push(url.href);
          await route.abort('internetdisconnected');
        }
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));

      await page.goto(`${server.baseUrl}/docs`);
      await page.getByRole('heading', { name: 'Kataven widget auth API', exact: true }).waitFor();
      // The sidebar lists every operation by its summary, all tags open.
      for (const summary of summaries) {
        await page.getByText(summary, { exact: true }).first().waitFor({ state: 'visible' });
      }
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}api-reference.png` });

      // Each operation's own section renders when navigated to.
      for (const summary of summaries) {
        await page.getByText(summary, { exact: true }).first().click();
        await page
          .getByRole('heading', { name: summary, exact: true })
          .waitFor({ state: 'visible' });
      }
      await page
        .getByText('Mint a logged-in visitor JWT (server-to-server)', { exact: true })
        .first()
        .click();
      const userToken = page.getByRole('heading', {
        name: 'Mint a logged-in visitor JWT (server-to-server)',
        exact: true,
      });
      await userToken.waitFor({ state: 'visible' });
      // The curl sample from openapi.json is the one shown.
      await page
        .getByText('Authorization: Bearer $KATAVEN_SECRET_KEY')
        .first()
        .waitFor({ state: 'visible' });
      await page.screenshot({ path: `${ARTIFACTS}api-reference-user-token.png` });

      // One per contract route: the HEAD twins stay out of the list.
      expect(summaries).toHaveLength(listRoutes(contract).length);
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it(
    'fits a 1280-pixel-wide window: neither the handshake diagram nor the page scrolls sideways',
    { timeout: 120_000 },
    async ({ server }) => {
      browser ??= await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/docs`);
      await page.getByRole('heading', { name: 'The handshake', exact: true }).waitFor();
      const diagram = page.locator('pre', { hasText: 'page (browser)' }).locator('code');
      await diagram.waitFor({ state: 'visible' });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}api-reference-1280.png` });

      const widths = await diagram.evaluate((code) => ({
        diagram: { scroll: code.scrollWidth, client: code.clientWidth },
        page: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
      }));
      expect(widths.diagram.client).toBeGreaterThan(0);
      expect(widths.diagram.scroll).toBeLessThanOrEqual(widths.diagram.client);
      expect(widths.page.scroll).toBeLessThanOrEqual(widths.page.client);
      await context.close();
    },
  );
});
