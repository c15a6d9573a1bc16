import type { Duplex } from 'node:stream';

/** How the request gate keeps the loop accepting while a burst of connections arrives. */
export interface AcceptPacing {
  /** To be called on each connection the server accepts (its `connection` event). */
  connectionAccepted: (socket: Duplex) => void;
  /** True once this loop turn has started a request while connections keep arriving. */
  turnSpent: () => boolean;
  requestStarted: () => void;
  /**
   * True, once per connection, for the first request on a connection accepted after the burst it
   * came in had lasted `lateAfterMs`: that request may have waited in the kernel's queue that long.
   */
  firstFromBacklog: (socket: Duplex) => boolean;
}

/**
 * libuv accepts one connection per listening socket per loop turn, so a turn that starts every
 * request it read leaves a burst of new connections in the kernel's accept queue for seconds (their
 * clients time out there, unanswered). While connections arrive turn after turn, each turn starts
 * one request, so the loop turns, and accepts, as fast as it serves; `onTurn` runs at each turn's
 * end to start what waited. Connections arriving in every turn mean the queue was never empty: the
 * burst's length bounds how long its latest connection may have waited.
 */
export function paceAccepts(options: { lateAfterMs: number; onTurn: () => void }): AcceptPacing {
  let startedThisTurn = 0;
  let connectionsThisTurn = 0;
  let connectionsLastTurn = 0;
  let turnScheduled = false;
  let burstStartedAt = 0;
  const lateSockets = new WeakSet<Duplex>();
  const connecting = () => connectionsThisTurn > 0 || connectionsLastTurn > 0;

  function scheduleTurnEnd(): void {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(turnEnded);
  }
  // An immediate runs after the turn's I/O; it is scheduled only while connections arrive, so an idle loop stays idle.
  function turnEnded(): void {
    turnScheduled = false;
    connectionsLastTurn = connectionsThisTurn;
    connectionsThisTurn = 0;
    startedThisTurn = 0;
    options.onTurn();
    if (connectionsLastTurn > 0) scheduleTurnEnd();
  }

  return {
    connectionAccepted: (socket) => {
      if (!connecting()) {
        startedThisTurn = 0;
        burstStartedAt = performance.now();
      } else if (performance.now() - burstStartedAt > options.lateAfterMs) {
        lateSockets.add(socket);
      }
      connectionsThisTurn++;
      scheduleTurnEnd();
    },
    turnSpent: () => startedThisTurn > 0 && connecting(),
    requestStarted: () => {
      startedThisTurn++;
    },
    firstFromBacklog: (socket) => lateSockets.delete(socket),
  };
}
