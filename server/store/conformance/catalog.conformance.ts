/** Accounts and widgets: the catalogue the admin CLI writes and the flows read. */
import { describe, expect, it } from 'vitest';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aWidget, anAccount, HOUR, T0 } from '../test-support/storeFixtures.js';

export function describeCatalog({ store, seedWidget }: StoreContext): void {
  describe('accounts', () => {
    it('an account is found by id after creation and counted by countAccounts', async () => {
      expect(await store().countAccounts()).toBe(0);
      const account = anAccount();
      await store().createAccount(account);
      await store().createAccount(anAccount());
      expect(await store().findAccount(account.id)).toEqual(account);
      expect(await store().countAccounts()).toBe(2);
    });

    it('findAccount returns undefined for an unknown id', async () => {
      expect(await store().findAccount('acct_unknown')).toBeUndefined();
    });
  });

  describe('widgets', () => {
    it('a widget round-trips every field, origins, settings and flags included', async () => {
      const widget = await seedWidget({ mode: 'live', guestEnabled: false, disabled: true });
      expect(await store().findWidgetByClientKey(widget.clientKey)).toEqual(widget);
    });

    it('findWidgetByClientKey returns undefined for an unknown client key', async () => {
      expect(await store().findWidgetByClientKey('pk_test_unknown00')).toBeUndefined();
    });

    it('a second widget with a client key already in use is rejected', async () => {
      const widget = await seedWidget();
      await expect(
        store().createWidget(aWidget(widget.accountId, { clientKey: widget.clientKey })),
      ).rejects.toThrow();
    });

    it('listWidgets returns every widget', async () => {
      const a = await seedWidget();
      const b = await seedWidget();
      const listed = await store().listWidgets();
      expect(listed.map((w) => w.id).sort()).toEqual([a.id, b.id].sort());
      expect(listed.find((w) => w.id === a.id)).toEqual(a);
    });

    it('updateWidget changes only the patched fields and sets updatedAt', async () => {
      const widget = await seedWidget();
      const settings = {
        ...widget.settings,
        copy: { ...widget.settings.copy, title: 'Talk to us' },
      };
      const updated = await store().updateWidget(widget.clientKey, {
        settings,
        updatedAt: T0 + HOUR,
      });
      const expected = { ...widget, settings, updatedAt: T0 + HOUR };
      expect(updated).toEqual(expected);
      expect(await store().findWidgetByClientKey(widget.clientKey)).toEqual(expected);
    });

    it('updateWidget applies falsy values: no origins, guests off, enabled', async () => {
      const widget = await seedWidget({ guestEnabled: true, disabled: true });
      const updated = await store().updateWidget(widget.clientKey, {
        origins: [],
        guestEnabled: false,
        disabled: false,
        updatedAt: T0 + 1,
      });
      expect(updated).toEqual({
        ...widget,
        origins: [],
        guestEnabled: false,
        disabled: false,
        updatedAt: T0 + 1,
      });
    });

    it('updateWidget returns undefined for an unknown client key', async () => {
      expect(
        await store().updateWidget('pk_test_unknown00', { disabled: true, updatedAt: T0 }),
      ).toBeUndefined();
    });
  });
}
