import * as z from 'zod';

export const PublicJwk = z
  .object({
    kty: z.literal('EC').meta({ description: 'Key type: elliptic curve.' }),
    crv: z.literal('P-256').meta({ description: 'Curve.' }),
    x: z.string().meta({ description: 'X coordinate (base64url).', example: 'SvSTjzD3X5mq7cwT6vrxYfAKBEGI4SabaObTfIlZSX3' }),
    y: z.string().meta({ description: 'Y coordinate (base64url).', example: '4PxZSnRXRlI9YqHaaix6Hg6RV2AALkNprhM5jBM3Qwl' }),
    kid: z.string().meta({
      description: 'RFC 7638 JWK thumbprint of the key; the `kid` header of the JWTs it signed.',
      example: 'kZ3qGm5oV1tLr9yXw2cB7nD4fH8jK0sP6aE3iU5gT1Q',
    }),
    alg: z.literal('ES256').meta({ description: 'Signing algorithm.' }),
    use: z.literal('sig').meta({ description: 'Signature verification only.' }),
  })
  .meta({ id: 'PublicJwk', description: 'The public half of one signing key (RFC 7517).' });
export type PublicJwk = z.infer<typeof PublicJwk>;

export const JwkSet = z
  .object({ keys: z.array(PublicJwk) })
  .meta({ id: 'JwkSet', description: 'Current and retired-but-still-valid public signing keys.' });
export type JwkSet = z.infer<typeof JwkSet>;
