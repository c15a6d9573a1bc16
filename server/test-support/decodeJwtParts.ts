import * as z from 'zod';

const JwsPart = z.record(z.string(), z.unknown());
const JwsHeader = JwsPart.and(z.object({ kid: z.string().optional() }));

const decode = (part: string | undefined) => {
  if (part === undefined) throw new Error('not a compact JWS');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
};

/** The decoded (unverified) header and payload of a compact JWS, for reading `kid`, `sid`, `jti`, … */
export function decodeJwtParts(token: string): {
  header: z.infer<typeof JwsHeader>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  return { header: JwsHeader.parse(decode(header)), payload: JwsPart.parse(decode(payload)) };
}
