import { WidgetPublicSettings, defaultWidgetPublicSettings, type WidgetMode } from '../../contract/index.js';
import { newClientKey, newId } from '../keys/ids.js';
import type { WidgetPatch, WidgetRecord } from '../store/records.js';
import { AdminError } from './adminError.js';
import { createSecretKey, requireAccount, type AdminDeps } from './secretKeys.js';
import { validateOrigins } from './validateOrigins.js';

export interface WidgetView {
  client_key: string;
  account_id: string;
  name: string;
  mode: WidgetMode;
  origins: string[];
  guest_enabled: boolean;
  disabled: boolean;
  settings: WidgetPublicSettings;
}

export function toWidgetView(w: WidgetRecord): WidgetView {
  return {
    client_key: w.clientKey,
    account_id: w.accountId,
    name: w.name,
    mode: w.mode,
    origins: w.origins,
    guest_enabled: w.guestEnabled,
    disabled: w.disabled,
    settings: w.settings,
  };
}

export interface CreateWidgetInput {
  name: string;
  origins: string[];
  mode: WidgetMode;
  guestEnabled: boolean;
  /** Without it a new account and its first secret key (in the widget's mode) are created. */
  accountId?: string | undefined;
}

export async function createWidget(
  deps: AdminDeps,
  input: CreateWidgetInput,
): Promise<{ account_id: string; client_key: string; secret_key?: string }> {
  const name = input.name.trim();
  if (name === '' || name.length > 128) throw new AdminError('--name must be 1-128 characters');
  const origins = validateOrigins(input.origins);
  if (origins.length === 0 && input.mode === 'live') {
    throw new AdminError('A live widget needs at least one --origin');
  }
  const now = deps.clock.now();
  let accountId = input.accountId;
  if (accountId === undefined) {
    accountId = newId('acct');
    await deps.store.createAccount({ id: accountId, name, createdAt: now });
  } else {
    await requireAccount(deps, accountId);
  }
  const clientKey = newClientKey(input.mode);
  await deps.store.createWidget({
    id: newId('wgt'),
    accountId,
    clientKey,
    name,
    mode: input.mode,
    origins,
    settings: { ...defaultWidgetPublicSettings },
    guestEnabled: input.guestEnabled,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });
  if (input.accountId !== undefined) return { account_id: accountId, client_key: clientKey };
  const { secret_key } = await createSecretKey(deps, { accountId, mode: input.mode });
  return { account_id: accountId, client_key: clientKey, secret_key };
}

export async function listWidgets(deps: AdminDeps): Promise<{ widgets: WidgetView[] }> {
  return { widgets: (await deps.store.listWidgets()).map(toWidgetView) };
}

async function patchWidget(deps: AdminDeps, clientKey: string, patch: Omit<WidgetPatch, 'updatedAt'>): Promise<WidgetView> {
  const updated = await deps.store.updateWidget(clientKey, { ...patch, updatedAt: deps.clock.now() });
  if (!updated) throw new AdminError(`Unknown client_key ${clientKey}`);
  return toWidgetView(updated);
}

export function setWidgetDisabled(deps: AdminDeps, clientKey: string, disabled: boolean): Promise<WidgetView> {
  return patchWidget(deps, clientKey, { disabled });
}

export async function editWidgetOrigins(
  deps: AdminDeps,
  clientKey: string,
  change: { add: string[]; remove: string[] },
): Promise<WidgetView> {
  const widget = await deps.store.findWidgetByClientKey(clientKey);
  if (!widget) throw new AdminError(`Unknown client_key ${clientKey}`);
  // A removal that matches nothing (a typo, a trailing slash) would leave the origin allowed while
  // reporting success; adding a listed entry is harmless and stays idempotent.
  const unlisted = change.remove.find((o) => !widget.origins.includes(o));
  if (unlisted !== undefined) throw new AdminError(`Origin ${JSON.stringify(unlisted)} is not in the allowlist of ${clientKey}`);
  const both = change.add.find((o) => change.remove.includes(o));
  if (both !== undefined) throw new AdminError(`Origin ${JSON.stringify(both)} is both added and removed`);
  const added = validateOrigins(change.add);
  const origins = [...widget.origins.filter((o) => !change.remove.includes(o)), ...added.filter((o) => !widget.origins.includes(o))];
  return patchWidget(deps, clientKey, { origins });
}

/** Replaces the public config (agent, branding, copy) from a JSON document. */
export function setWidgetSettings(deps: AdminDeps, clientKey: string, document: unknown): Promise<WidgetView> {
  const parsed = WidgetPublicSettings.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminError(`Invalid widget config: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return patchWidget(deps, clientKey, { settings: parsed.data });
}
