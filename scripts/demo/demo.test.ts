import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../clients/test-support/freePort.js';
import { launchChromium } from '../../clients/test-support/launchChromium.js';
import { startDemo, type Demo } from './startDemo.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let dir: string;
let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kataven-demo-'));
  demo = await startDemo({
    apiPort: await freePort(),
    sitePort: 0,
    databaseUrl: `file:${join(dir, 'demo.sqlite')}`,
    keysFile: join(dir, 'demo-keys.json'),
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent' },
    apiOutput: 'ignore',
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser.close();
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('serves the customer site on a second origin, which completes the guest flow and signs in as Ada', async () => {
    expect(new URL(demo.siteUrl).origin).not.toBe(new URL(demo.apiUrl).origin);
    const page = await browser.newPage();
    try {
      await page.goto(demo.siteUrl);
      // The launcher comes from the widget's config on the API: the demo shop's colours and copy.
      const launcher = page.getByRole('button', { name: 'Chat with Nova' });
      await launcher.waitFor();
      await expect(launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe(
        'rgb(15, 118, 110)',
      );
      await launcher.click();
      await page.getByText('Hi! I am Nova. Ask me anything about your order.').waitFor();

      await page.getByText('Session ready — guest').waitFor();
      expect(await page.locator('#visitor-kind').textContent()).toBe('guest');
      expect(await page.locator('#visitor-id').textContent()).toMatch(/^vis_/);
      expect(await page.locator('#expires-in').textContent()).toMatch(/^\d+ s$/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'demo-guest.png'), fullPage: true });

      await page.getByRole('button', { name: 'Sign in as Ada' }).click();
      await page.getByText('Session ready — user').waitFor();
      expect(await page.locator('#visitor-name').textContent()).toBe('Ada Lovelace');
      await page.screenshot({ path: join(ARTIFACTS, 'demo-signed-in.png'), fullPage: true });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('Session ready — guest').waitFor();
      await page.getByText('Session ended').first().waitFor();
    } finally {
      await page.close();
    }
  }, 60_000);
});
