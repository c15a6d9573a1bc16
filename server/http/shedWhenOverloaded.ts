import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { paceAccepts } from './paceAccepts.js';
import { apiErrors, CORS_EXPOSED_HEADERS } from '../../contract/index.js';
import { isSerializedOrigin } from '../origins/index.js';
import { watchResponseCompletion } from './responseCompletion.js';
import { routesByPath } from './routeTable.js';
import { pathOf, writeTextAnswer } from './writeTextAnswer.js';

/** Seconds a shed caller is asked to wait; the clients honour it (retry like 429). */
const RETRY_AFTER_SECONDS = '1';

/** The 503, written without Express: shedding must cost far less than serving. */
function answerOverloaded(req: IncomingMessage, res: ServerResponse, path: string): void {
  const headers = ['Retry-After', RETRY_AFTER_SECONDS];
  // As every answer on a cross-origin route: the widget can read the status and `Retry-After`.
  if (routesByPath.get(path)?.cors === true) {
    headers.push('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin !== undefined && isSerializedOrigin(origin)) {
      headers.push('Access-Control-Allow-Origin', origin, 'Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    }
  }
  writeTextAnswer(req, res, apiErrors.overloaded.status, apiErrors.overloaded.message, headers);
}

export interface OverloadBounds {
  /** True while the event loop's delay is past its bound: the CPU cannot keep up. */
  eventLoopSaturated(): boolean;
  /**
   * Requests in progress past which new ones wait. The loop can look idle while requests
   * queue elsewhere (token signing runs on the libuv thread pool): in-flight work is the queue
   * every new request waits behind.
   */
  maxInFlight: number;
  /** Milliseconds a request may wait for a slot; one that waited longer is refused. 0 refuses at once. */
  maxWaitMs: number;
  /** Milliseconds after its arrival a refused request is answered 503 (at least `maxWaitMs`). */
  refusalHoldMs?: number;
  /** Requests waiting past which the longest-waiting one is answered 503 at once. */
  maxWaiting?: number;
  onShed(): void;
}

export interface LoadShedder {
  listener: RequestListener;
  /** To be called on each connection the server accepts (its `connection` event). */
  connectionAccepted: (socket: Duplex) => void;
  /** Stops the timer that answers requests past their wait, and the count of requests in flight. */
  stop(): void;
}

/** Each waiting request holds a socket and a few KB; past this many the longest-waiting is refused. */
const MAX_WAITING = 10_000;

/** A refusal answered sooner only invites the next request sooner from a client that ignores `Retry-After`. */
const REFUSAL_HOLD_MS = 4_000;

/** Requests admitted even while the loop is saturated, so shedding never starves the work it protects. */
const ALWAYS_ADMITTED = 16;

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  since: number;
}

/** Held requests in arrival order: the oldest leave from the front (refused), the newest from the back (admitted). */
class HeldRequests {
  private items: Waiting[] = [];
  private front = 0;

  get size(): number {
    return this.items.length - this.front;
  }

  newest(): Waiting | undefined {
    return this.size > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(w: Waiting): void {
    this.items.push(w);
  }

  oldest(): Waiting | undefined {
    return this.size > 0 ? this.items[this.front] : undefined;
  }

  popNewest(): Waiting | undefined {
    const w = this.size > 0 ? this.items.pop() : undefined;
    this.compact();
    return w;
  }

  popOldest(): Waiting | undefined {
    const w = this.size > 0 ? this.items[this.front++] : undefined;
    this.compact();
    return w;
  }

  /** Removes and returns the oldest while `leaves` holds for it. */
  *takeOldestWhile(leaves: (w: Waiting) => boolean): Generator<Waiting> {
    while (this.size > 0 && leaves(this.items[this.front] as Waiting)) {
      yield this.items[this.front++] as Waiting;
    }
    this.compact();
  }

  // The array keeps what left from the front until it is sliced: without this, refused requests would stay reachable.
  private compact(): void {
    if (this.front === this.items.length) {
      this.items = [];
      this.front = 0;
    } else if (this.front > 1024 && this.front * 2 > this.items.length) {
      this.items = this.items.slice(this.front);
      this.front = 0;
    }
  }
}

/**
 * Overload: while the instance is saturated — its event loop late past the bound, or
 * `maxInFlight` requests already in progress — a new request waits. As slots free, waiting requests
 * are admitted in arrival order while the oldest has waited under half of `maxWaitMs`, and the
 * newest first once it has (adaptive LIFO, "Fail at Scale", ACM Queue 13(8), 2015): a short queue
 * is served in order and refuses nothing, and under a standing backlog the requests served are
 * fresh, so they keep a short latency. One that waited past
 * `maxWaitMs` is no longer admitted and is answered `503 Service overloaded` with `Retry-After`
 * `refusalHoldMs` after it arrived: a client that re-sends at once (ignoring `Retry-After`) then
 * costs one refusal per connection per hold instead of as many as it can send. While a burst of
 * connections arrives, each loop turn starts one request (`paceAccepts`), so the burst is accepted as
 * fast as requests are served instead of waiting in the kernel; the first request of a connection
 * that may have waited there past `maxWaitMs` is not served if it would wait, but refused at the hold
 * like a stale one. Liveness is never held or shed: an overloaded instance is alive, and restarting
 * it would only move its load elsewhere.
 */
export function shedWhenOverloaded(next: RequestListener, bounds: OverloadBounds): LoadShedder {
  const now = () => performance.now();
  const maxWaiting = bounds.maxWaiting ?? MAX_WAITING;
  const holdMs = Math.max(bounds.maxWaitMs, bounds.refusalHoldMs ?? REFUSAL_HOLD_MS);
  let inFlight = 0;
  const waiting = new HeldRequests();
  // First requests that may have waited in the kernel's queue past `maxWaitMs`: refused at the hold when they would wait.
  const late = new HeldRequests();
  const pacing = paceAccepts({ lateAfterMs: bounds.maxWaitMs, onTurn: () => waiting.size > 0 && admitWaiting() });

  const saturated = () =>
    inFlight >= bounds.maxInFlight ||
    (inFlight >= ALWAYS_ADMITTED && bounds.eventLoopSaturated()) ||
    pacing.turnSpent();
  const gone = (w: Waiting) => w.res.writableEnded || w.req.socket.destroyed;

  function shed(w: Waiting): void {
    if (gone(w)) return;
    bounds.onShed();
    answerOverloaded(w.req, w.res, w.path);
  }

  // In arrival order while the oldest has waited under half the bound: every waiting request can
  // still be served within it. Past that a backlog stands, and the newest go first (adaptive LIFO);
  // once the newest waited past `maxWaitMs`, every one below it did too.
  function admitWaiting(): void {
    const at = now();
    const staleBefore = at - bounds.maxWaitMs;
    const standingBefore = at - bounds.maxWaitMs / 2;
    while (!saturated() && (waiting.newest()?.since ?? staleBefore) > staleBefore) {
      const inOrder = (waiting.oldest() as Waiting).since > standingBefore;
      const w = (inOrder ? waiting.popOldest() : waiting.popNewest()) as Waiting;
      if (!gone(w)) admit(w.req, w.res);
    }
  }

  // Finished or cut off, each admitted request frees its slot once, with no listener of its own.
  const settled = () => {
    inFlight--;
    if (waiting.size > 0) admitWaiting();
  };
  const completion = watchResponseCompletion<ServerResponse>([{ finished: settled, aborted: settled }]);

  function admit(req: IncomingMessage, res: ServerResponse): void {
    inFlight++;
    pacing.requestStarted();
    completion.track(res);
    next(req, res);
  }

  function shedExpired(): void {
    const deadline = now() - holdMs;
    const expired = (w: Waiting) => w.since <= deadline;
    for (const w of late.takeOldestWhile(expired)) shed(w);
    for (const w of waiting.takeOldestWhile(expired)) shed(w);
    admitWaiting();
  }

  // With no wait allowed nothing ever queues, so there is nothing to sweep.
  const sweep = bounds.maxWaitMs > 0 ? setInterval(shedExpired, Math.max(5, Math.min(50, holdMs / 4))) : undefined;
  sweep?.unref();

  const listener: RequestListener = (req, res) => {
    const firstFromBacklog = pacing.firstFromBacklog(req.socket);
    if (!saturated() && waiting.size === 0) {
      admit(req, res);
      return;
    }
    const path = pathOf(req);
    if (path === '/healthz') {
      admit(req, res);
      return;
    }
    const w: Waiting = { req, res, path, since: now() };
    if (bounds.maxWaitMs === 0) {
      shed(w);
      return;
    }
    const held = firstFromBacklog ? late : waiting;
    held.push(w);
    if (held.size > maxWaiting) {
      for (const oldest of held.takeOldestWhile(() => held.size > maxWaiting)) shed(oldest);
    }
    if (!firstFromBacklog && !saturated()) admitWaiting();
  };

  return {
    listener,
    connectionAccepted: pacing.connectionAccepted,
    stop: () => {
      clearInterval(sweep);
      completion.close();
    },
  };
}
