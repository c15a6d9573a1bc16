/** Retry timing for the Node client: full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export const BASE_DELAY_MS = 250;
export const MAX_DELAY_MS = 8_000;

/**
 * How long to wait before retry number `attempt` (0-based). A server's `Retry-After` wins, since
 * it knows when capacity returns; otherwise a random delay up to an exponentially growing cap.
 * Returns undefined when the server asks for longer than `MAX_DELAY_MS`: waiting that long
 * inside one call would hold the caller's request hostage, so the error is surfaced instead.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000;
    return ms > MAX_DELAY_MS ? undefined : ms;
  }
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
}
