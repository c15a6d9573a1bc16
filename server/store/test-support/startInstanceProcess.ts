/**
 * One instance starting on the database at argv[2]: when told to start, opens the store (which
 * migrates) and makes sure there is a signing key, as a server does at start. Prints whether its
 * key was the one inserted.
 */
import { openStore } from '../openStore.js';
import { readyAndWait } from './contender.js';
import { aSigningKey } from './storeFixtures.js';

export interface InstanceStart {
  insertedSigningKey: boolean;
}

const [url] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: startInstanceProcess <url>');
await readyAndWait();
const store = await openStore({ url });
const started: InstanceStart = {
  insertedSigningKey: await store.insertFirstSigningKey(aSigningKey()),
};
await store.close();
process.stdout.write(JSON.stringify(started));
