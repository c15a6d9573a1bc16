import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { paceAccepts } from './paceAccepts.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function paced(lateAfterMs = 1_000) {
  let turns = 0;
  const pacing = paceAccepts({ lateAfterMs, onTurn: () => turns++ });
  return { pacing, turns: () => turns };
}

describe('paceAccepts', () => {
  it('with no connection arriving, never holds a request back', () => {
    const { pacing } = paced();
    pacing.requestStarted();
    pacing.requestStarted();
    expect(pacing.turnSpent()).toBe(false);
  });

  it('while connections arrive, a turn that started a request is spent until the turn ends', async () => {
    const { pacing, turns } = paced();
    pacing.connectionAccepted(new PassThrough());
    expect(pacing.turnSpent()).toBe(false);
    pacing.requestStarted();
    expect(pacing.turnSpent()).toBe(true);
    await nextTurn();
    expect(turns()).toBe(1);
    expect(pacing.turnSpent()).toBe(false);
  });

  it('ends the burst at the first turn without a connection and leaves the loop idle', async () => {
    const { pacing, turns } = paced();
    pacing.connectionAccepted(new PassThrough());
    for (let i = 0; i < 5; i++) await nextTurn();
    // The turn with the connection, then the one that found none.
    expect(turns()).toBe(2);
    pacing.requestStarted();
    expect(pacing.turnSpent()).toBe(false);
  });

  it('marks, once, the first request of a connection accepted after the burst lasted lateAfterMs', async () => {
    const { pacing } = paced(20);
    const early = new PassThrough();
    pacing.connectionAccepted(early);
    const startedAt = performance.now();
    while (performance.now() - startedAt < 30) {
      await nextTurn();
      pacing.connectionAccepted(new PassThrough());
    }
    const late = new PassThrough();
    pacing.connectionAccepted(late);
    expect(pacing.firstFromBacklog(early)).toBe(false);
    expect(pacing.firstFromBacklog(late)).toBe(true);
    expect(pacing.firstFromBacklog(late)).toBe(false);
  });

  it('starts a new burst after a turn without a connection', async () => {
    const { pacing } = paced(20);
    pacing.connectionAccepted(new PassThrough());
    const startedAt = performance.now();
    while (performance.now() - startedAt < 30) await nextTurn();
    const afterPause = new PassThrough();
    pacing.connectionAccepted(afterPause);
    expect(pacing.firstFromBacklog(afterPause)).toBe(false);
  });
});
