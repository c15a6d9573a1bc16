import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zlib computes it, of the UTF-8 bytes.
 * `zlib.crc32` exists from Node 20.15; package.json allows 20.11, so older runtimes use the
 * table-driven version below, which gives the same result.
 */
export function crc32(text: string): number {
  return typeof zlib.crc32 === 'function' ? zlib.crc32(text) : portableCrc32(text);
}

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The fallback, exported so a test can hold it to zlib's answer. */
export function portableCrc32(text: string): number {
  const lookup = crcTable();
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc = (lookup[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
