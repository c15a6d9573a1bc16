/**
 * An attacker's toolbox for the attack suite (`server/attacks/`): hand-built JWS with any header,
 * any algorithm and any key, independent of the server's signing code and of jose's checks.
 */
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { ORIGIN, exchange, guestToken, refresh, sessionBody } from './flowsHelpers.js';
import type { TestServer } from './startTestServer.js';

export const b64url = (value: string | Buffer | Uint8Array): string =>
  Buffer.from(value).toString('base64url');
export const encodeJson = (value: unknown): string => b64url(JSON.stringify(value));

/** `header.payload` in compact form; the payload may be a raw string (RFC 7797 unencoded). */
export function signingInput(header: unknown, payload: unknown): string {
  return `${encodeJson(header)}.${encodeJson(payload)}`;
}

/** ES256 over `input` with any P-256 key, in the raw r‖s form JWS uses. */
export function es256(privateKey: KeyObject, input: string): string {
  return b64url(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

/** HS256/384/512 over `input`, keyed with whatever bytes the attacker believes the verifier uses. */
export function hmac(
  alg: 'HS256' | 'HS384' | 'HS512',
  key: string | Buffer,
  input: string,
): string {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return b64url(createHmac(hash, key).update(input).digest());
}

/** A compact JWS signed with the server's own current key: only the header or claims are hostile. */
export function signedByServer(
  server: TestServer,
  header: Record<string, unknown>,
  payload: unknown,
): string {
  const key = server.keys.current();
  const input = signingInput(
    { alg: 'ES256', typ: 'visitor+jwt', kid: key.kid, ...header },
    payload,
  );
  return `${input}.${es256(key.privateKey, input)}`;
}

export interface AttackerKey {
  privateKey: KeyObject;
  publicJwk: { kty: string; crv: string; x: string; y: string };
}

export function attackerKey(): AttackerKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) } };
}

/** A compact JWS signed with the attacker's own key. */
export function signedByAttacker(
  key: AttackerKey,
  header: Record<string, unknown>,
  payload: unknown,
): string {
  const input = signingInput({ alg: 'ES256', typ: 'visitor+jwt', ...header }, payload);
  return `${input}.${es256(key.privateKey, input)}`;
}

/** The server's public signing key in every form an algorithm-confusion attack feeds to HMAC. */
export function publicKeyForms(
  server: TestServer,
): Record<'PEM' | 'PEM without trailing newline' | 'JWK JSON' | 'DER' | 'raw EC point', Buffer> {
  const publicKey = createPublicKey(server.keys.current().privateKey);
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const jwk = server.keys.jwks().keys.find((k) => k.kid === server.keys.current().kid);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    PEM: Buffer.from(pem),
    'PEM without trailing newline': Buffer.from(pem.trimEnd()),
    'JWK JSON': Buffer.from(JSON.stringify(jwk)),
    DER: der,
    // SPKI for P-256 ends with the 65-byte uncompressed point 04‖x‖y.
    'raw EC point': der.subarray(der.length - 65),
  };
}

/** The order n of the P-256 group, for ECDSA edge-case signatures (CVE-2022-21449). */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export function rawSignature(r: bigint, s: bigint): string {
  const bytes = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
  return b64url(Buffer.concat([bytes(r), bytes(s)]));
}

/** A local HTTP listener standing in for an attacker's key server (`jku`, `x5u`): counts every request. */
export interface Listener {
  url: string;
  readonly hits: number;
  close(): Promise<void>;
}

export async function startListener(): Promise<Listener> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    res.end('{"keys":[]}');
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** After an attack: the whole guest → exchange → refresh flow still works for the widget. */
export async function expectServiceWorks(
  server: TestServer,
  clientKey: string,
  origin = ORIGIN,
): Promise<void> {
  const visitor = await guestToken(server, clientKey, origin);
  const session = sessionBody(await exchange(server, visitor.token, origin));
  const next = sessionBody(await refresh(server, session.refresh_token, origin));
  expect(next.refresh_token).not.toBe(session.refresh_token);
}
