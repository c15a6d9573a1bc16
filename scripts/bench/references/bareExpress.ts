/**
 * Reference 1: Express 5 answering a small constant JSON, with the service's own Express settings
 * (`applyExpressSettings`), served as anyone serves an Express app: the baseline every ratio in the
 * report is taken against. On Node 20 and 22 it pays Express's per-request prototype change, which
 * the service and the ts-rest references do not (presetPrototypes.ts), so they can exceed it there.
 * With `BARE_EXPRESS_SERVED_AS_SERVICE=on` the same app is served as the service is (the
 * `express-preset` row): the ceiling of Express as the service runs it.
 */
import { presetExpressPrototypes } from '../../../server/http/presetPrototypes.js';
import { bareExpressApp } from './bareExpressApp.js';
import { serveReference } from './serveReference.js';

const app = bareExpressApp();

const prototypes = process.env.BARE_EXPRESS_SERVED_AS_SERVICE === 'on' ? presetExpressPrototypes() : undefined;
prototypes?.adopt(app);
serveReference(app, Number(process.env.PORT), prototypes);
