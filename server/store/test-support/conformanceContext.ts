/** The per-test store and the few multi-step setups the conformance sections share. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import type { NewRefreshToken, SessionRecord, WidgetRecord } from '../records.js';
import type { Store } from '../store.js';
import {
  aBox,
  aRefreshToken,
  aSession,
  aWidget,
  anAccount,
  DAY,
  MINUTE,
  T0,
} from './storeFixtures.js';

export interface StartedSession {
  jti: string;
  session: SessionRecord;
  token: NewRefreshToken;
}

/**
 * What an implementation's test file gives the suite. `open` creates a fresh, empty database and
 * opens a store on it; `openAnother` opens one more store on that same database, as another
 * instance or the admin CLI would. The suite closes every store it opened. Stores should poll for
 * admin changes every `adminChangePollMs` (keep it short: tests wait for the news).
 */
export interface StoreUnderTest {
  open: () => Promise<{ store: Store; openAnother: () => Promise<Store> }>;
  adminChangePollMs: number;
}

export interface StoreContext {
  /** The fresh store of the running test. */
  store: () => Store;
  /** Opens another store on the running test's database (closed after the test). */
  openAnother: () => Promise<Store>;
  /** The poll interval the stores were opened with. */
  adminChangePollMs: number;
  /** Creates an account and a widget of it. */
  seedWidget: (over?: Partial<WidgetRecord>) => Promise<WidgetRecord>;
  /** Consumes a new visitor jti (spent at T0) for a new widget and expects the session to start. */
  startSession: (over?: {
    session?: Partial<SessionRecord>;
    token?: Partial<NewRefreshToken>;
    tokenExpiresAt?: number;
  }) => Promise<StartedSession>;
  /** Rotates `tokenId` at `now` to `successor` (by default a fresh token idling out a day later). */
  rotate: (
    tokenId: string,
    now: number,
    successor?: NewRefreshToken,
  ) => Promise<{ rotated: boolean; successor: NewRefreshToken }>;
}

/** Opens a store before each test of the calling `describe` and closes it (and any other) after. */
export function useStore(underTest: StoreUnderTest): StoreContext {
  let current: { store: Store; openAnother: () => Promise<Store> } | undefined;
  let others: Store[] = [];
  beforeEach(async () => {
    current = await underTest.open();
  });
  afterEach(async () => {
    await Promise.all(others.map((other) => other.close()));
    others = [];
    await current?.store.close();
    current = undefined;
  });

  const opened = () => {
    if (current === undefined) throw new Error('the store is only open inside a test');
    return current;
  };
  const store = (): Store => opened().store;
  const openAnother = async (): Promise<Store> => {
    const other = await opened().openAnother();
    others.push(other);
    return other;
  };

  const seedWidget: StoreContext['seedWidget'] = async (over = {}) => {
    const account = anAccount();
    await store().createAccount(account);
    const widget = aWidget(account.id, over);
    await store().createWidget(widget);
    return widget;
  };

  const startSession: StoreContext['startSession'] = async (over = {}) => {
    const widget = await seedWidget();
    const started = {
      jti: randomUUID(),
      session: aSession(widget, over.session),
      token: aRefreshToken(over.token),
    };
    const result = await store().consumeVisitorToken({
      jti: started.jti,
      tokenExpiresAt: over.tokenExpiresAt ?? T0 + 5 * MINUTE,
      spentAt: T0,
      session: started.session,
      refreshToken: started.token,
    });
    expect(result).toEqual({ started: true });
    return started;
  };

  const rotate: StoreContext['rotate'] = async (
    tokenId,
    now,
    successor = aRefreshToken({ createdAt: now, expiresAt: now + DAY }),
  ) => {
    const rotated = await store().rotateRefreshToken({
      tokenId,
      now,
      successor,
      successorBox: aBox(),
    });
    return { rotated, successor };
  };

  return {
    store,
    openAnother,
    adminChangePollMs: underTest.adminChangePollMs,
    seedWidget,
    startSession,
    rotate,
  };
}
