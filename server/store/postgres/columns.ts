/** Column types shared by the PostgreSQL tables. */
import { bigint, customType } from 'drizzle-orm/pg-core';

/**
 * An instant as epoch milliseconds. `bigint` because the values pass 2^31; read as a JS number,
 * exact up to 2^53 ms (year 287396).
 */
export const epochMs = (name: string) => bigint(name, { mode: 'number' });

/** Opaque bytes. node-postgres reads bytea as a Buffer and sends any Uint8Array as bytea. */
export const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => 'bytea',
  // A plain view over the Buffer, so records compare equal to the Uint8Array that was stored.
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});
