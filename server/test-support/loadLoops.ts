/**
 * Closed-loop load for process tests: `concurrency` loops over keep-alive connections, each
 * sending one request after another, and what became of every request as the client saw it.
 */
import { Agent, request as httpRequest } from 'node:http';

export type Outcome =
  /** The whole answer arrived (status and complete body). */
  | { kind: 'answered'; status: number; body: string }
  /** No answer started: refused, reset before any byte, or the socket closed as idle. */
  | { kind: 'not_answered'; code: string }
  /** Headers arrived but the body was cut off: the failure a graceful stop must never cause. */
  | { kind: 'cut_off'; status: number; code: string };

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function send(agent: Agent, baseUrl: string, spec: LoadRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(new URL(spec.path, baseUrl), { method: spec.method, agent, headers: spec.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('aborted', () => resolve({ kind: 'cut_off', status: res.statusCode ?? 0, code: 'aborted' }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'cut_off', status: res.statusCode ?? 0, code: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'not_answered', code: error.code ?? error.message }));
    req.end(spec.body);
  });
}

export interface LoadRun {
  outcomes: Outcome[];
  /** Stops every loop after its current request; resolves when all have stopped. */
  stop(): Promise<void>;
}

/** Starts the loops; `next` builds each request (it may vary the body). */
export function runLoad(baseUrl: string, concurrency: number, next: () => LoadRequest): LoadRun {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const outcome = await send(agent, baseUrl, next());
      outcomes.push(outcome);
      // A refused connection is retried at once by nothing real; pace it so the loop does not spin.
      if (outcome.kind === 'not_answered') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
