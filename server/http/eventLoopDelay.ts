/** The event loop's recent delay, as the load shedding reads it. */
export interface EventLoopDelay {
  /** Smoothed delay of the last turns, in milliseconds. */
  currentMs(): number;
  stop(): void;
}

/** Weight of the newest sample: one slow turn (a GC, a big JSON) alone does not reach the bound. */
const NEWEST_SAMPLE_WEIGHT = 0.3;

/**
 * Measures how late a short repeating timer fires: the time the loop spent in other work before it
 * could run it. Each sample covers one loop turn while the loop is busy, so a sustained overload
 * shows within a few turns and clears as fast once the turns are short again.
 */
export function monitorEventLoopDelay(intervalMs = 20): EventLoopDelay {
  let smoothed = 0;
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    const delay = Math.max(0, now - expected);
    expected = now + intervalMs;
    smoothed += (delay - smoothed) * NEWEST_SAMPLE_WEIGHT;
  }, intervalMs);
  timer.unref();
  return { currentMs: () => smoothed, stop: () => clearInterval(timer) };
}
