import { describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from './eventLoopDelay.js';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holding the event loop, as a saturated server does.
  }
};
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('monitorEventLoopDelay', () => {
  it('passes the bound under sustained long turns, not after one, and falls back once the turns are short', async () => {
    const delay = monitorEventLoopDelay(10);
    try {
      await sleep(50);
      busyFor(150);
      await nextTurn();
      await nextTurn();
      // One slow turn (a GC, a large document) alone does not look like overload.
      expect(delay.currentMs()).toBeLessThan(100);
      for (let i = 0; i < 10; i++) {
        busyFor(150);
        await nextTurn();
      }
      expect(delay.currentMs()).toBeGreaterThan(100);
      await sleep(1000);
      expect(delay.currentMs()).toBeLessThan(100);
    } finally {
      delay.stop();
    }
  });
});
