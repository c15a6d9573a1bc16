/** Admin changes: every store on the database hears of them, whichever connection made them. */
import { describe, expect, it, vi } from 'vitest';
import type { Store } from '../store.js';
import type { StoreContext } from '../test-support/conformanceContext.js';
import {
  aSecretKey,
  aSigningKey,
  anAccount,
  DAY,
  HOUR,
  T0,
} from '../test-support/storeFixtures.js';

/** Generous against a busy machine; the wait ends as soon as the news arrived. */
const HEARD = { timeout: 5_000, interval: 5 };

/**
 * Subscribes to `store`'s admin changes; on each call reads `look()` and keeps what it saw. What
 * a listener reads after being called is what a cache reloads: seeing the change there proves the
 * call came after the change was committed.
 */
function watch<T>(store: Store, look: () => Promise<T>) {
  const seen: T[] = [];
  const stop = store.onAdminChange(() => {
    void look().then((value) => seen.push(value));
  });
  return { seen, stop };
}

export function describeAdminChanges({
  store,
  openAnother,
  adminChangePollMs,
  seedWidget,
}: StoreContext): void {
  describe('admin changes', () => {
    /** Long enough for a store to have polled several times. */
    const severalPolls = () => new Promise((resolve) => setTimeout(resolve, 5 * adminChangePollMs));

    const seedKey = async () => {
      const account = anAccount();
      await store().createAccount(account);
      const key = aSecretKey(account.id);
      await store().createSecretKey(key);
      return key;
    };

    it("a widget changed through another store is reported to this store's listener", async () => {
      const other = await openAnother();
      const widget = await seedWidget();
      const watcher = watch(store(), () => store().findWidgetByClientKey(widget.clientKey));
      await other.updateWidget(widget.clientKey, { disabled: true, updatedAt: T0 + HOUR });
      await vi.waitFor(() => {
        expect(watcher.seen).toContainEqual(expect.objectContaining({ disabled: true }));
      }, HEARD);
      watcher.stop();
    });

    it('a widget created through another store is reported', async () => {
      const other = await openAnother();
      const widget = await seedWidget();
      const watcher = watch(store(), () => store().listWidgets());
      const second = { ...widget, id: `${widget.id}-2`, clientKey: `${widget.clientKey}2` };
      await other.createWidget(second);
      await vi.waitFor(() => {
        expect(watcher.seen.at(-1)).toContainEqual(second);
      }, HEARD);
      watcher.stop();
    });

    it('a secret key revoked through another store is reported', async () => {
      const other = await openAnother();
      const key = await seedKey();
      const watcher = watch(store(), () => store().findActiveSecretKey(key.hash, T0));
      await other.revokeSecretKey({ id: key.id }, T0 + HOUR);
      await vi.waitFor(() => {
        expect(watcher.seen).toContain(undefined);
      }, HEARD);
      watcher.stop();
    });

    it('a secret key created through another store is reported', async () => {
      const other = await openAnother();
      const key = await seedKey();
      const watcher = watch(store(), () => store().listSecretKeys(key.accountId));
      const second = aSecretKey(key.accountId, { createdAt: T0 + 1 });
      await other.createSecretKey(second);
      await vi.waitFor(() => {
        expect(watcher.seen.at(-1)?.map((k) => k.id)).toContain(second.id);
      }, HEARD);
      watcher.stop();
    });

    it('a signing key rotated through another store is reported', async () => {
      const other = await openAnother();
      await store().insertFirstSigningKey(aSigningKey());
      const watcher = watch(store(), () => store().listSigningKeys());
      const next = aSigningKey({ createdAt: T0 + DAY });
      await other.rotateSigningKey(next);
      await vi.waitFor(() => {
        expect(watcher.seen.at(-1)?.map((k) => k.kid)).toContain(next.kid);
      }, HEARD);
      watcher.stop();
    });

    it('a change made through the store itself is reported to its own listener', async () => {
      const widget = await seedWidget();
      const watcher = watch(store(), () => store().findWidgetByClientKey(widget.clientKey));
      await store().updateWidget(widget.clientKey, { origins: [], updatedAt: T0 + HOUR });
      await vi.waitFor(() => {
        expect(watcher.seen).toContainEqual(expect.objectContaining({ origins: [] }));
      }, HEARD);
      watcher.stop();
    });

    // Recording a key's use is not an admin change: on a busy service it would otherwise make
    // every instance reload its caches all the time. Hearing nothing takes waiting: the listener
    // would have been called within one poll interval.
    it('a secret key touched (its use recorded) through another store is not reported', async () => {
      const other = await openAnother();
      const key = await seedKey();
      let calls = 0;
      const stop = store().onAdminChange(() => {
        calls += 1;
      });
      await severalPolls();
      calls = 0;
      await other.touchSecretKey(key.id, T0 + DAY);
      await severalPolls();
      expect(calls).toBe(0);

      // The listener was live all along: a revocation does reach it.
      await other.revokeSecretKey({ id: key.id }, T0 + DAY);
      await vi.waitFor(() => {
        expect(calls).toBeGreaterThan(0);
      }, HEARD);
      stop();
    });

    it('after its unsubscribe a listener is not called; the other listeners still are', async () => {
      const other = await openAnother();
      const widget = await seedWidget();
      let stoppedCalls = 0;
      const stop = store().onAdminChange(() => {
        stoppedCalls += 1;
      });
      const watcher = watch(store(), () => store().findWidgetByClientKey(widget.clientKey));
      stop();
      await other.updateWidget(widget.clientKey, { guestEnabled: false, updatedAt: T0 + HOUR });
      await vi.waitFor(() => {
        expect(watcher.seen).toContainEqual(expect.objectContaining({ guestEnabled: false }));
      }, HEARD);
      expect(stoppedCalls).toBe(0);
      watcher.stop();
    });
  });
}
