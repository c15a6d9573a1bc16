import type { RevokeUserRequest, RevokeUserResponse } from '../../contract/index.js';
import type { SecretKeyRecord } from '../store/records.js';
import type { FlowDeps } from './deps.js';
import { resolveWidgetOfKey } from './resolveWidget.js';

/**
 * Ends every session of the user on the widget and refuses their visitor tokens minted until
 * now (`exchangeVisitorToken` checks). Idempotent: a repeat ends nothing more and says 0.
 */
export async function revokeUserSessions(
  deps: FlowDeps,
  input: { secretKey: SecretKeyRecord; body: RevokeUserRequest },
): Promise<RevokeUserResponse> {
  const { secretKey, body } = input;
  const widget = await resolveWidgetOfKey(deps, secretKey, body.client_key);
  await deps.store.touchSecretKey(secretKey.id, deps.clock.now());
  const revoked = await deps.store.revokeUserSessions({
    widgetId: widget.record.id,
    userId: body.user_id,
    at: deps.clock.now(),
  });
  deps.events.emit({
    event: 'user_sessions_revoked',
    clientKey: widget.record.clientKey,
    keyId: secretKey.id,
    userId: body.user_id,
    revokedSessions: revoked,
  });
  return { revoked_sessions: revoked };
}
