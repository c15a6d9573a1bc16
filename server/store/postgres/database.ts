/** The connection pool every table's queries run on, and the drizzle handle over it. */
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

export type PostgresDb = NodePgDatabase & { $client: pg.Pool };

/**
 * Raw queries read `bigint` columns (epoch milliseconds) and `count(*)` as JS numbers. Set on the
 * pool rather than on `pg.types`, so other pg users in the process keep their parsers; drizzle's
 * own queries bring their parsers and map `bigint({ mode: 'number' })` themselves.
 */
const INT8: number = pg.types.builtins.INT8;
const defaultParser = pg.types.getTypeParser as (oid: number, format?: string) => unknown;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string): unknown =>
    oid === INT8 && format !== 'binary'
      ? Number
      : defaultParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  url: string;
  poolSize: number;
  /** An idle pooled connection failed (the server restarted or ended it); the pool replaces it. */
  onError: (message: string) => void;
}

export function openDatabase(options: PoolOptions): PostgresDb {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    types,
    application_name: 'kataven',
  });
  // Without a listener an idle client's error would crash the process.
  pool.on('error', (error) => {
    options.onError(error.message);
  });
  return drizzle({ client: pool });
}

/** A raw statement prepared by name: parsed once per pooled connection. */
export type NamedQuery<Params extends unknown[], Row extends pg.QueryResultRow> = (
  ...values: Params
) => Promise<pg.QueryResult<Row>>;

export function namedQuery<
  Params extends unknown[],
  Row extends pg.QueryResultRow = Record<string, never>,
>(pool: pg.Pool, name: string, text: string): NamedQuery<Params, Row> {
  return (...values) => pool.query<Row, unknown[]>({ name, text, values });
}
