import * as z from 'zod';
import { clientKeyField } from './clientKey.js';
import { issueError } from './issueError.js';
import { userIdField } from './userToken.js';

export const RevokeUserRequest = z
  .object(
    { client_key: clientKeyField('missing_user_fields'), user_id: userIdField },
    { error: issueError('missing_user_fields') },
  )
  .meta({ id: 'RevokeUserRequest', description: 'The user whose sessions on this widget end.' });
export type RevokeUserRequest = z.infer<typeof RevokeUserRequest>;

export const RevokeUserResponse = z
  .object({
    revoked_sessions: z
      .int()
      .min(0)
      .meta({
        description:
          'How many live sessions this call ended (0 when there were none: the call is idempotent).',
        example: 2,
      }),
  })
  .meta({ id: 'RevokeUserResponse' });
export type RevokeUserResponse = z.infer<typeof RevokeUserResponse>;
