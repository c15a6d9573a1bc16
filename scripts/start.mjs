// `npm start`: compile dist/ when a source changed since the last start, then run the server in
// this process.
import { buildIfChanged } from './buildIfChanged.mjs';

buildIfChanged();
await import('../dist/server/main.js');
