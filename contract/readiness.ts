import * as z from 'zod';

/** The bodies of a 200 from `GET /readyz`; both mean "send traffic here". */
export const readinessMessages = {
  ready: 'ok',
  /** Redis is configured but unreachable: each instance enforces the limits on its own traffic. */
  rateLimitsPerInstance: 'ok (rate limits per instance: Redis unreachable)',
} as const;

export const ReadinessText = z
  .enum([readinessMessages.ready, readinessMessages.rateLimitsPerInstance])
  .meta({
    description: `\`${readinessMessages.ready}\`, or \`${readinessMessages.rateLimitsPerInstance}\` while the shared rate-limit store is unreachable (still ready).`,
  });
export type ReadinessText = z.infer<typeof ReadinessText>;
