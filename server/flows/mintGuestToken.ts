import type { VisitorTokenResponse } from '../../contract/index.js';
import { newId } from '../keys/ids.js';
import { issueVisitorToken } from '../tokens/visitorToken.js';
import { ApiError } from './apiError.js';
import type { FlowDeps } from './deps.js';
import { toVisitorTokenResponse } from './responses.js';
import { requireAllowedOrigin, resolveEnabledWidget } from './resolveWidget.js';

export async function mintGuestToken(
  deps: FlowDeps,
  input: { clientKey: string; origin: string | undefined },
): Promise<VisitorTokenResponse> {
  const widget = await resolveEnabledWidget(deps, input.clientKey);
  const origin = requireAllowedOrigin(deps, widget, input.origin, 'guest');
  if (!widget.record.guestEnabled) throw new ApiError('guest_disabled');
  const visitorId = newId('vis');
  const issued = await issueVisitorToken(deps, widget.record.clientKey, { kind: 'guest', visitorId, origin });
  return toVisitorTokenResponse(issued, visitorId);
}
