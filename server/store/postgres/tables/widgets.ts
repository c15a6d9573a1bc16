import { asc, eq, sql } from 'drizzle-orm';
import { boolean, check, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { WidgetPublicSettings } from '../../../../contract/index.js';
import type { WidgetRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';
import { accounts } from './accounts.js';

export const widgets = pgTable(
  'widgets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    clientKey: text('client_key').notNull().unique(),
    name: text('name').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    origins: jsonb('origins').$type<string[]>().notNull(),
    settings: jsonb('settings').$type<WidgetPublicSettings>().notNull(),
    guestEnabled: boolean('guest_enabled').notNull(),
    disabled: boolean('disabled').notNull(),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [check('widgets_mode_check', sql`${t.mode} IN ('live', 'test')`)],
);

export type WidgetRow = typeof widgets.$inferSelect;

export const toWidget = (r: WidgetRow): WidgetRecord => ({
  id: r.id,
  accountId: r.accountId,
  clientKey: r.clientKey,
  name: r.name,
  mode: r.mode,
  origins: r.origins,
  settings: r.settings,
  guestEnabled: r.guestEnabled,
  disabled: r.disabled,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/**
 * A jsonb parameter inside an SQL expression, where drizzle does not encode it: node-postgres would
 * send a JS array as a PostgreSQL array, not as JSON.
 */
const json = (value: unknown): string => JSON.stringify(value);

export function widgetQueries(
  db: PostgresDb,
): Pick<Store, 'createWidget' | 'findWidgetByClientKey' | 'listWidgets' | 'updateWidget'> {
  const p = (name: keyof WidgetRow) => sql.placeholder(name);
  const insert = db
    .insert(widgets)
    .values({
      id: p('id'),
      accountId: p('accountId'),
      clientKey: p('clientKey'),
      name: p('name'),
      mode: p('mode'),
      origins: p('origins'),
      settings: p('settings'),
      guestEnabled: p('guestEnabled'),
      disabled: p('disabled'),
      createdAt: p('createdAt'),
      updatedAt: p('updatedAt'),
    })
    .prepare('widgets_insert');
  const findByClientKey = db
    .select()
    .from(widgets)
    .where(eq(widgets.clientKey, p('clientKey')))
    .prepare('widgets_find_by_client_key');
  const list = db
    .select()
    .from(widgets)
    .orderBy(asc(widgets.createdAt), asc(widgets.id))
    .prepare('widgets_list');
  // One statement for every patch shape: a null parameter keeps the column as it is.
  const update = db
    .update(widgets)
    .set({
      origins: sql`coalesce(${p('origins')}::jsonb, ${widgets.origins})`,
      settings: sql`coalesce(${p('settings')}::jsonb, ${widgets.settings})`,
      guestEnabled: sql`coalesce(${p('guestEnabled')}::boolean, ${widgets.guestEnabled})`,
      disabled: sql`coalesce(${p('disabled')}::boolean, ${widgets.disabled})`,
      updatedAt: sql`${p('updatedAt')}::bigint`,
    })
    .where(eq(widgets.clientKey, p('clientKey')))
    .returning()
    .prepare('widgets_update');

  return {
    createWidget: async (w) => {
      await insert.execute({ ...w });
    },
    findWidgetByClientKey: async (clientKey) => {
      const [row] = await findByClientKey.execute({ clientKey });
      return row && toWidget(row);
    },
    listWidgets: async () => (await list.execute()).map(toWidget),
    updateWidget: async (clientKey, patch) => {
      const [row] = await update.execute({
        clientKey,
        updatedAt: patch.updatedAt,
        origins: patch.origins === undefined ? null : json(patch.origins),
        settings: patch.settings === undefined ? null : json(patch.settings),
        guestEnabled: patch.guestEnabled ?? null,
        disabled: patch.disabled ?? null,
      });
      return row && toWidget(row);
    },
  };
}
