import * as z from 'zod';

/**
 * The `Origin` request header (RFC 6454), declared on the cross-origin routes so the reference
 * says what each one does with it. Browsers set it themselves; other callers must send it.
 */
export function originHeader(description: string) {
  return z.string().optional().meta({ description, example: 'http://localhost:3000' });
}
