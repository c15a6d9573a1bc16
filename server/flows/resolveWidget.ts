import type { ApiErrorCode } from '../../contract/index.js';
import type { SecretKeyRecord } from '../store/records.js';
import { ApiError } from './apiError.js';
import type { FlowDeps } from './deps.js';
import type { ResolvedWidget } from './widgetDirectory.js';

/** The enabled widget for a client key, or the given error (404 at the door, 400 mid-flow). */
export async function resolveEnabledWidget(
  deps: Pick<FlowDeps, 'widgets'>,
  clientKey: string,
  otherwise: ApiErrorCode = 'unknown_client_key',
): Promise<ResolvedWidget> {
  const widget = await deps.widgets.get(clientKey);
  if (!widget || widget.record.disabled) throw new ApiError(otherwise);
  return widget;
}

/**
 * The enabled widget a secret key may act on: its own account's, of its own mode. Another
 * account's widget, or a test key on a live widget, is indistinguishable from none.
 */
export async function resolveWidgetOfKey(deps: Pick<FlowDeps, 'widgets'>, secretKey: SecretKeyRecord, clientKey: string): Promise<ResolvedWidget> {
  const widget = await resolveEnabledWidget(deps, clientKey);
  if (widget.record.accountId !== secretKey.accountId || widget.record.mode !== secretKey.mode) {
    throw new ApiError('unknown_client_key');
  }
  return widget;
}

export function requireAllowedOrigin(
  deps: Pick<FlowDeps, 'events'>,
  widget: ResolvedWidget,
  origin: string | undefined,
  route: string,
  error: ApiErrorCode = 'origin_not_allowed',
): string {
  if (origin === undefined || !widget.allowsOrigin(origin)) {
    deps.events.emit({ event: 'origin_denied', route, clientKey: widget.record.clientKey, origin: origin ?? null });
    throw new ApiError(error);
  }
  return origin;
}
