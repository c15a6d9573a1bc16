import { describe, expect } from 'vitest';
import { listSigningKeys } from '../admin/index.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import { createKeyVault } from './keyVault.js';
import { ROTATION_LEAD_MS, rotateIfDue } from './rotation.js';

const DAY = 24 * 60 * 60 * 1000;

describe('scheduled rotation (KATAVEN_SIGNING_KEY_ROTATION_DAYS)', () => {
  it('adds the next key once the current one has signed for the given days, and only one however many instances ask', async ({
    server,
  }) => {
    const deps = { store: server.store, clock: server.clock, vault: createKeyVault(undefined) };
    expect(await rotateIfDue(deps, 30)).toBeUndefined();
    server.clock.advance(30 * DAY + 1);
    const kids = await Promise.all([
      rotateIfDue(deps, 30),
      rotateIfDue(deps, 30),
      rotateIfDue(deps, 30),
    ]);
    const added = kids.filter((kid) => kid !== undefined);
    expect(added).toHaveLength(1);
    const states = async () => (await listSigningKeys(deps)).keys.map((k) => k.state);
    expect(await states()).toEqual(['current', 'next']);
    // Published first, signing after the JWKS max-age, like a manual rotation.
    server.clock.advance(ROTATION_LEAD_MS);
    expect(await states()).toEqual(['retired', 'current']);
    expect(await rotateIfDue(deps, 30)).toBeUndefined();
    server.clock.advance(30 * DAY);
    expect(await rotateIfDue(deps, 30)).toBeDefined();
  });
});
