/** The widgets table: its schema, its statements and its rows as records. */
import { asc, eq, getTableColumns, sql, type Column } from 'drizzle-orm';
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { WidgetPublicSettings } from '../../../../contract/index.js';
import type { WidgetPatch, WidgetRecord } from '../../records.js';
import { accounts } from './accounts.js';
import { byPosition } from './byPosition.js';
import { bound, rowPlaceholders } from './placeholders.js';
import type { SqliteDb } from './sqliteDb.js';

export const modes = ['live', 'test'] as const;

export const widgets = sqliteTable(
  'widgets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    clientKey: text('client_key').notNull().unique(),
    name: text('name').notNull(),
    mode: text('mode', { enum: modes }).notNull(),
    origins: text('origins', { mode: 'json' }).$type<string[]>().notNull(),
    settings: text('settings', { mode: 'json' }).$type<WidgetPublicSettings>().notNull(),
    guestEnabled: integer('guest_enabled', { mode: 'boolean' }).notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('widgets_mode_check', sql`${t.mode} IN ('live', 'test')`)],
);

export type WidgetRow = typeof widgets.$inferSelect;

const columns = byPosition(getTableColumns(widgets));

/** Every column is a field of the record; drizzle decodes the JSON documents and the flags. */
export const toWidget = (row: WidgetRow): WidgetRecord => row;

/**
 * `coalesce(?, column)`: one prepared UPDATE serves every patch shape, a null keeping the column.
 * The value is bound raw, so the caller encodes it (`patchValue`): drizzle would encode a null as
 * the JSON text 'null' or the flag 0.
 */
const keepUnlessGiven = (column: Column, name: string) =>
  sql`coalesce(${sql.placeholder(name)}, ${column})`;

/** The column's own encoding of a patched value, or null for "keep it". */
const patchValue = <T>(
  column: { mapToDriverValue: (value: T) => unknown },
  value: T | undefined,
) => (value === undefined ? null : column.mapToDriverValue(value));

export function prepareWidgetStatements(db: SqliteDb) {
  const insert = db.insert(widgets).values(rowPlaceholders(widgets)).prepare();
  // Hot path (every widget request that misses the cache): raw, see SqliteDb.
  const byClientKey = db.$client
    .prepare<[string], unknown[]>(`SELECT ${columns.list()} FROM widgets WHERE client_key = ?`)
    .raw();
  const all = db.select().from(widgets).orderBy(asc(widgets.createdAt), asc(widgets.id)).prepare();
  const update = db
    .update(widgets)
    .set({
      origins: keepUnlessGiven(widgets.origins, 'origins'),
      settings: keepUnlessGiven(widgets.settings, 'settings'),
      guestEnabled: keepUnlessGiven(widgets.guestEnabled, 'guestEnabled'),
      disabled: keepUnlessGiven(widgets.disabled, 'disabled'),
      updatedAt: bound('updatedAt'),
    })
    .where(eq(widgets.clientKey, sql.placeholder('clientKey')))
    .returning()
    .prepare();

  return {
    insert: (row: WidgetRow) => {
      insert.run(row);
    },
    findByClientKey: (clientKey: string): WidgetRecord | undefined => {
      const row = byClientKey.get(clientKey);
      return row && toWidget(columns.read(row));
    },
    list: (): WidgetRecord[] => all.all().map(toWidget),
    /** Applies the patch; undefined for an unknown client key. */
    update: (clientKey: string, patch: WidgetPatch): WidgetRecord | undefined => {
      const row = update.get({
        clientKey,
        updatedAt: patch.updatedAt,
        origins: patchValue(widgets.origins, patch.origins),
        settings: patchValue(widgets.settings, patch.settings),
        guestEnabled: patchValue(widgets.guestEnabled, patch.guestEnabled),
        disabled: patchValue(widgets.disabled, patch.disabled),
      });
      return row && toWidget(row);
    },
  };
}
