import { describe, expect } from 'vitest';
import {
  MSG_REFRESH,
  ORIGIN,
  guestSession,
  logout,
  refresh,
  sessionBody,
} from '../test-support/flowsHelpers.js';
import { asHashOnlyRefreshToken } from '../test-support/hashOnlyRefreshToken.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';

const expectNoContent = (res: { status: number; text: string }) => {
  expect({ status: res.status, text: res.text }).toEqual({ status: 204, text: '' });
};

describe('logout', () => {
  it('answers 204 and the refresh token no longer refreshes', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    expectNoContent(await logout(server, session.refresh_token));
    expectTextError(await refresh(server, session.refresh_token, ORIGIN), 400, MSG_REFRESH);
    const revokedAt = await server.db.scalar('SELECT revoked_at FROM sessions WHERE id = ?', [String(decodeJwtParts(session.token).payload.sid)]);
    expect(revokedAt).toBe(server.clock.now());
  });

  it('ends the session of a token issued before tokens carried their id', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    const old = await asHashOnlyRefreshToken(server.databaseUrl, session.refresh_token);
    expectNoContent(await logout(server, old));
    const revokedAt = await server.db.scalar('SELECT revoked_at FROM sessions WHERE id = ?', [String(decodeJwtParts(session.token).payload.sid)]);
    expect(revokedAt).toBe(server.clock.now());
  });

  it('with a spent token of the family ends the live successor too', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const second = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    expectNoContent(await logout(server, first.refresh_token));
    expectTextError(await refresh(server, second.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('with the live token ends the family: a spent token can no longer be retried within the grace window', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const second = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    expectNoContent(await logout(server, second.refresh_token));
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
    expectTextError(await refresh(server, second.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('ends only its own session', async ({ server, widget: { clientKey } }) => {
    const mine = await guestSession(server, clientKey);
    const other = await guestSession(server, clientKey);
    expectNoContent(await logout(server, mine.refresh_token));
    sessionBody(await refresh(server, other.refresh_token, ORIGIN));
  });

  it('answers 204 for an unknown refresh token', async ({ server }) => {
    expectNoContent(await logout(server, 'rt_0000000000000000000000000000000000000000000'));
    expectNoContent(await logout(server, 'not-even-a-refresh-token'));
  });

  it('answers 204 when called twice', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    expectNoContent(await logout(server, session.refresh_token));
    expectNoContent(await logout(server, session.refresh_token));
    expectTextError(await refresh(server, session.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('answers 204 without an Origin header', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    expectNoContent(await logout(server, session.refresh_token, undefined));
    expectTextError(await refresh(server, session.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('answers 400 "Missing or expired refresh_token" without the field', async ({ server }) => {
    expectTextError(await logout(server, undefined), 400, MSG_REFRESH);
  });
});
