import { userIdField } from '../../contract/index.js';
import { AdminError } from './adminError.js';
import type { AdminDeps } from './secretKeys.js';

/** As `POST /api/v1/widget/auth/revoke`: ends every session of the user on the widget. */
export async function revokeUserSessions(
  deps: AdminDeps,
  input: { clientKey: string; userId: string },
): Promise<{ revoked_sessions: number }> {
  const userId = userIdField.safeParse(input.userId);
  if (!userId.success)
    throw new AdminError(`--user-id: ${userId.error.issues[0]?.message ?? 'invalid'}`);
  const widget = await deps.store.findWidgetByClientKey(input.clientKey);
  if (!widget) throw new AdminError(`Unknown client_key ${input.clientKey}`);
  const revoked = await deps.store.revokeUserSessions({
    widgetId: widget.id,
    userId: userId.data,
    at: deps.clock.now(),
  });
  return { revoked_sessions: revoked };
}
