import * as z from 'zod';

export const PublicJwk = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: z.string().meta({ description: 'RFC 7638 JWK thumbprint of the key.' }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  })
  .meta({ id: 'PublicJwk' });
export type PublicJwk = z.infer<typeof PublicJwk>;

export const JwkSet = z
  .object({ keys: z.array(PublicJwk) })
  .meta({ id: 'JwkSet', description: 'Current and retired-but-still-valid public signing keys.' });
export type JwkSet = z.infer<typeof JwkSet>;
