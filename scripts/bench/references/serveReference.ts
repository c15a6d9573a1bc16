import { createServer, type RequestListener } from 'node:http';
import { serverOptions, type PresetPrototypes } from '../../../server/http/presetPrototypes.js';

/**
 * Serves a reference on loopback at `port`, keeping connections alive as the service does, until
 * SIGTERM. With `prototypes`, its requests and responses are created as the service's are.
 */
export function serveReference(listener: RequestListener, port: number, prototypes?: PresetPrototypes): void {
  const server = createServer(serverOptions(prototypes), listener);
  server.keepAliveTimeout = 5_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
