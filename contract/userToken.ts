import * as z from 'zod';
import { clientKeyField } from './clientKey.js';
import { issueError } from './issueError.js';

const MISSING = issueError('missing_user_fields');

/** No C0/C1 control characters and no lone surrogates: what "printable" means here. */
const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u;

/**
 * Metadata is copied into JWT claims, which must be I-JSON (RFC 7493 §2.1): no lone surrogates,
 * which strict JSON parsers elsewhere (the services that verify session tokens) reject.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const METADATA_VALUE_RULE = 'metadata values must be strings (at most 500 characters, well-formed Unicode), numbers or booleans';
const METADATA_KEY_RULE = 'metadata keys must be 1-40 printable characters';
const metadataValue = z.union(
  [
    z.string().max(500, { error: METADATA_VALUE_RULE }).refine((value) => !LONE_SURROGATE.test(value), { error: METADATA_VALUE_RULE }),
    z.number().refine(Number.isFinite),
    z.boolean(),
  ],
  { error: METADATA_VALUE_RULE },
);

export const UserMetadata = z
  .record(
    z.string().min(1).max(40, { error: METADATA_KEY_RULE }).regex(PRINTABLE, { error: METADATA_KEY_RULE }),
    metadataValue,
    // zod reports a bad key as `invalid_key` under the record's own error.
    { error: (issue) => (issue.code === 'invalid_key' ? METADATA_KEY_RULE : 'metadata must be an object') },
  )
  .refine((value) => Object.keys(value).length <= 20, { error: 'metadata must have at most 20 keys' })
  .meta({
    id: 'UserMetadata',
    maxProperties: 20,
    description: 'Up to 20 keys (each 1-40 printable characters); values are strings (at most 500 characters of well-formed Unicode: no lone surrogates), numbers or booleans. Copied into the session JWT, whose claims must be I-JSON (RFC 7493).',
    example: { plan: 'pro' },
  });
export type UserMetadata = z.infer<typeof UserMetadata>;

/** A customer's id for a user: "Missing client_key or user_id" when absent or empty. */
export const userIdField = z
  .string({ error: (issue) => (issue.input === undefined ? MISSING(issue) : 'user_id must be a string') })
  .min(1, { error: MISSING })
  .max(256, { error: 'user_id must be at most 256 characters' })
  .regex(PRINTABLE, { error: 'user_id must contain only printable characters' })
  .meta({ description: "Your stable identifier for the signed-in user (1-256 printable characters).", example: 'u_123' });

export const UserTokenRequest = z
  .object(
    {
      client_key: clientKeyField('missing_user_fields'),
      user_id: userIdField,
      name: z
        .string({ error: 'name must be a string' })
        .max(128, { error: 'name must be at most 128 characters' })
        .regex(PRINTABLE, { error: 'name must contain only printable characters' })
        .optional()
        .meta({ description: 'Display name (at most 128 characters).', example: 'Ada' }),
      email: z
        .email({ error: 'email must be a valid email address' })
        .max(254, { error: 'email must be at most 254 characters' })
        .optional()
        .meta({ description: 'Email address (at most 254 characters).', example: 'ada@example.com' }),
      metadata: UserMetadata.optional(),
    },
    { error: MISSING },
  )
  .meta({ id: 'UserTokenRequest' });
export type UserTokenRequest = z.infer<typeof UserTokenRequest>;

export const UserTokenHeaders = z.object({
  authorization: z
    .string()
    .optional()
    .meta({ description: '`Bearer sk_live_kt_…` or `Bearer sk_test_kt_…`: your secret key. Never send it from a browser.' }),
});
