import { hash } from 'node:crypto';
import type { UserTokenRequest, UserVisitorTokenResponse } from '../../contract/index.js';
import type { SecretKeyRecord } from '../store/records.js';
import { issueVisitorToken } from '../tokens/visitorToken.js';
import type { FlowDeps } from './deps.js';
import { toVisitorTokenResponse } from './responses.js';
import { resolveWidgetOfKey } from './resolveWidget.js';

/**
 * A signed-in user keeps one visitor id per widget, so `/connect` can key history on `sub`.
 * Derived rather than stored: no table, no race, and it reveals nothing about `user_id`.
 */
function visitorIdForUser(widgetId: string, userId: string): string {
  return `vis_${hash('sha256', `${widgetId}\0${userId}`, 'hex').slice(0, 24)}`;
}

export async function mintUserToken(
  deps: FlowDeps,
  input: { secretKey: SecretKeyRecord; body: UserTokenRequest },
): Promise<UserVisitorTokenResponse> {
  const { secretKey, body } = input;
  const widget = await resolveWidgetOfKey(deps, secretKey, body.client_key);
  await deps.store.touchSecretKey(secretKey.id, deps.clock.now());
  const visitorId = visitorIdForUser(widget.record.id, body.user_id);
  const issued = await issueVisitorToken(deps, widget.record.clientKey, {
    kind: 'user',
    visitorId,
    userId: body.user_id,
    name: body.name,
    email: body.email,
    metadata: body.metadata,
  });
  return { ...toVisitorTokenResponse(issued, visitorId), user_id: body.user_id };
}
