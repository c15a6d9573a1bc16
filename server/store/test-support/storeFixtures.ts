/** Records for store tests: valid defaults, fresh ids, overridable per test. */
import { randomUUID } from 'node:crypto';
import { defaultWidgetPublicSettings } from '../../../contract/index.js';
import type {
  AccountRecord,
  NewRefreshToken,
  NewSecretKey,
  SessionRecord,
  SigningKeyRecord,
  WidgetRecord,
} from '../records.js';

/** A fixed "now" for store tests; every instant is an offset from it. */
export const T0 = 1_700_000_000_000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const id = (prefix: string): string => `${prefix}_${randomUUID()}`;

export const anAccount = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: id('acct'),
  name: 'Acme',
  createdAt: T0,
  ...over,
});

export const aWidget = (accountId: string, over: Partial<WidgetRecord> = {}): WidgetRecord => ({
  id: id('wdg'),
  accountId,
  clientKey: `pk_test_${randomUUID().replaceAll('-', '')}`,
  name: 'Support',
  mode: 'test',
  origins: ['https://shop.example', 'https://*.example.org:8443'],
  settings: defaultWidgetPublicSettings,
  guestEnabled: true,
  disabled: false,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const aSecretKey = (accountId: string, over: Partial<NewSecretKey> = {}): NewSecretKey => ({
  id: id('sk'),
  accountId,
  mode: 'test',
  displayPrefix: 'sk_test_kt_Ab3d…9xYz',
  hash: randomUUID().replaceAll('-', '').repeat(2),
  createdAt: T0,
  ...over,
});

export const aSigningKey = (over: Partial<SigningKeyRecord> = {}): SigningKeyRecord => {
  const kid = over.kid ?? id('kid');
  return {
    kid,
    alg: 'ES256',
    privateJwk: { kty: 'EC', crv: 'P-256', x: 'x-coord', y: 'y-coord', d: 'private-scalar' },
    publicJwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'x-coord',
      y: 'y-coord',
      kid,
      alg: 'ES256',
      use: 'sig',
    },
    createdAt: T0,
    activatesAt: over.createdAt ?? T0,
    retiredAt: null,
    withdrawnAt: null,
    ...over,
  };
};

export const aSession = (
  widget: WidgetRecord,
  over: Partial<SessionRecord> = {},
): SessionRecord => ({
  id: id('ses'),
  widgetId: widget.id,
  clientKey: widget.clientKey,
  visitorId: id('vis'),
  kind: 'guest',
  userId: null,
  name: null,
  email: null,
  metadata: null,
  origin: 'https://shop.example',
  createdAt: T0,
  expiresAt: T0 + 30 * DAY,
  revokedAt: null,
  ...over,
});

export const aRefreshToken = (over: Partial<NewRefreshToken> = {}): NewRefreshToken => ({
  id: id('rt'),
  hash: randomUUID().replaceAll('-', '').repeat(2),
  createdAt: T0,
  expiresAt: T0 + DAY,
  ...over,
});

/** A sealed successor as the refresh flow would store it; the store treats it as opaque bytes. */
export const aBox = (fill = 7): Uint8Array => new Uint8Array(48).fill(fill);
