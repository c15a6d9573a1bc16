import type { WidgetConfig } from '../../contract/index.js';
import type { FlowDeps } from './deps.js';
import { requireAllowedOrigin, resolveEnabledWidget } from './resolveWidget.js';

export type ConfigResult = { status: 200; config: WidgetConfig; etag: string } | { status: 304; etag: string };

/**
 * RFC 9110 §13.1.2: If-None-Match uses weak comparison, so `W/"x"` matches `"x"`; `*` matches
 * any current representation.
 */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = etag.slice(1, -1);
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/"${bare}"`;
  });
}

export async function getWidgetConfig(
  deps: FlowDeps,
  input: { clientKey: string; origin: string | undefined; ifNoneMatch: string | undefined },
): Promise<ConfigResult> {
  const widget = await resolveEnabledWidget(deps, input.clientKey);
  // No Origin header means a non-browser caller (a server, curl): the config is public.
  if (input.origin !== undefined) {
    requireAllowedOrigin(deps, widget, input.origin, 'config', 'config_origin_not_allowed');
  }
  if (matchesEtag(input.ifNoneMatch, widget.etag)) return { status: 304, etag: widget.etag };
  return { status: 200, config: widget.config, etag: widget.etag };
}
