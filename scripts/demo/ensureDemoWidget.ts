import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { createWidget, setWidgetSettings } from '../../server/admin/index.js';
import { systemClock } from '../../server/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/openSqliteStore.js';

export interface DemoKeys {
  client_key: string;
  secret_key: string;
}

const DemoKeysFile = z.object({ client_key: z.string(), secret_key: z.string() });

/** The demo shop's look, so the page visibly renders from the API's config rather than defaults. */
const DEMO_SETTINGS = {
  agent: { display_name: 'Nova', avatar_url: null },
  branding: {
    primary_color: '#0f766e',
    background_color: '#f0fdfa',
    text_color: '#134e4a',
    position: 'bottom-right',
  },
  copy: {
    title: 'Chat with Nova',
    greeting: 'Hi! I am Nova. Ask me anything about your order.',
    placeholder: 'Type a message…',
  },
} as const;

function readKeys(file: string): DemoKeys | undefined {
  try {
    return DemoKeysFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The demo's widget and its secret key. A secret key is shown only once at creation, so the
 * demo keeps it in `keysFile` beside its database (both under the gitignored `data/`); when
 * either is missing or no longer matches, it makes a new test-mode widget.
 */
export async function ensureDemoWidget(databaseUrl: string, keysFile: string): Promise<DemoKeys> {
  const store = await openSqliteStore({ url: databaseUrl });
  try {
    const saved = readKeys(keysFile);
    const widget = saved && (await store.findWidgetByClientKey(saved.client_key));
    if (saved && widget && !widget.disabled) return saved;

    const deps = { store, clock: systemClock };
    // Test mode: loopback origins on any port are allowed, so the site needs no allowlist entry.
    const created = await createWidget(deps, {
      name: 'Demo shop',
      origins: [],
      mode: 'test',
      guestEnabled: true,
    });
    if (created.secret_key === undefined) throw new Error('the demo account got no secret key');
    await setWidgetSettings(deps, created.client_key, DEMO_SETTINGS);
    const keys = { client_key: created.client_key, secret_key: created.secret_key };
    writeFileSync(keysFile, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    return keys;
  } finally {
    await store.close();
  }
}
