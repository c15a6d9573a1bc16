import * as z from 'zod';
import { issueError } from './issueError.js';

/** Public widget identifier: `pk_live_…` or `pk_test_…` followed by 8–64 key characters. */
export const CLIENT_KEY_PATTERN = /^pk_(live|test)_[0-9A-Za-z]{8,64}$/;

export type WidgetMode = 'live' | 'test';

/**
 * A client key as it arrives in a body or query. A missing or empty value is the route's
 * `missing` error; any other non-conforming value (wrong type, wrong prefix, bad characters) is
 * `invalid_client_key`.
 */
export function clientKeyField(missing: 'missing_client_key' | 'missing_user_fields') {
  return z
    .string({ error: issueError((issue) => (issue.input === undefined ? missing : 'invalid_client_key')) })
    .min(1, { error: issueError(missing) })
    .regex(CLIENT_KEY_PATTERN, { error: issueError('invalid_client_key') })
    .meta({
      description: 'The widget\'s public client key (`pk_live_…` or `pk_test_…`).',
      example: 'pk_test_4eC39HqLyjWDarjtT1zdp7dc',
    });
}
