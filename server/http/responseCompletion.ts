import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Response } from 'express';

/** An answer of Node's HTTP server (Express's `Response` is one). */
type Answer = ServerResponse;

/** What is done once an answer is over: the request log and the metrics, the overload gate's count. */
export interface ResponseWatcher<R extends Answer = Response> {
  /** The answer was handed to the connection in full. */
  finished?: (res: R) => void;
  /** The connection closed before the answer was written out (the client went away). */
  aborted?: (res: R) => void;
}

export interface ResponseCompletion<R extends Answer = Response> {
  /** Called once per request; its answer will reach each watcher exactly once. */
  track(res: R): void;
  /** Stops watching; the app calls this when it closes. */
  close(): void;
}

/** Published by Node's HTTP server when a response emits `finish` (Node ≥ 18.7). */
const RESPONSE_FINISH = 'http.server.response.finish';

interface FinishMessage {
  response: Answer;
  socket: Socket;
}

/**
 * Tells the watchers when each tracked answer finished or was cut off, without a listener per
 * request: finished answers come from one process-wide diagnostics-channel subscription, and a
 * connection that closes reports the answers still open on it through one listener per connection.
 * Adding `finish`/`close` listeners to every response cost more than writing the request line.
 */
export function watchResponseCompletion<R extends Answer = Response>(watchers: readonly ResponseWatcher<R>[]): ResponseCompletion<R> {
  const finished = watchers.flatMap((w) => (w.finished ? [w.finished] : []));
  const aborted = watchers.flatMap((w) => (w.aborted ? [w.aborted] : []));
  if (finished.length === 0 && aborted.length === 0) return { track: () => undefined, close: () => undefined };

  // Per instance, so apps sharing a process (the tests) each see only their own answers.
  const OPEN = Symbol('openResponses');
  type Watched = Socket & { [OPEN]?: Set<Answer> };

  function onSocketClose(this: Watched) {
    const open = this[OPEN];
    if (open === undefined) return;
    for (const res of open) for (const report of aborted) report(res as R);
    open.clear();
  }

  const onFinish = (message: unknown) => {
    const { response, socket } = message as FinishMessage;
    // `delete` is the claim: an answer is reported once, whichever of finish and close comes first.
    if ((socket as Watched)[OPEN]?.delete(response) !== true) return;
    for (const report of finished) report(response as R);
  };
  subscribe(RESPONSE_FINISH, onFinish);

  return {
    track(res) {
      const socket = res.req.socket as Watched;
      let open = socket[OPEN];
      if (open === undefined) {
        // A Set, not one slot: pipelined requests can have several answers open on a connection.
        open = new Set();
        socket[OPEN] = open;
        socket.on('close', onSocketClose);
      }
      open.add(res);
    },
    close() {
      unsubscribe(RESPONSE_FINISH, onFinish);
    },
  };
}
