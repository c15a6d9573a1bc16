export {
  createServerClient,
  type ServerClient,
  type ServerClientOptions,
} from './createServerClient.js';
export { verifySessionToken, type VerifySessionTokenOptions } from './verifySessionToken.js';
export { KatavenError, type KatavenErrorCode } from '../shared/katavenError.js';
export type {
  SessionTokenClaims,
  UserMetadata,
  UserTokenRequest,
  UserVisitorTokenResponse,
} from '../../contract/index.js';
