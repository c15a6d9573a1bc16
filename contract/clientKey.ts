import * as z from 'zod';

/** Public widget identifier: `pk_live_…` or `pk_test_…` followed by 8–64 key characters. */
export const CLIENT_KEY_PATTERN = /^pk_(live|test)_[0-9A-Za-z]{8,64}$/;

export type WidgetMode = 'live' | 'test';

export function modeOfClientKey(clientKey: string): WidgetMode {
  return clientKey.startsWith('pk_live_') ? 'live' : 'test';
}

/**
 * A client key as it arrives in a body or query. A missing or empty value is "Missing
 * client_key"; any other non-conforming value (wrong type, wrong prefix, bad characters) is
 * "Invalid client_key". The messages are the spec's exact error bodies.
 */
export function clientKeyField(missingMessage: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? missingMessage : 'Invalid client_key'),
    })
    .min(1, { error: missingMessage })
    .regex(CLIENT_KEY_PATTERN, { error: 'Invalid client_key' })
    .meta({
      description: 'The widget\'s public client key (`pk_live_…` or `pk_test_…`).',
      example: 'pk_test_4eC39HqLyjWDarjtT1zdp7dc',
    });
}
