import { createServer, type RequestListener } from 'node:http';

/** Serves a reference on loopback at `port`, keeping connections alive as the service does, until SIGTERM. */
export function serveReference(listener: RequestListener, port: number): void {
  const server = createServer(listener);
  server.keepAliveTimeout = 5_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
