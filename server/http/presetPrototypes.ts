import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/** The request and response classes an HTTP server is created with, and the app they belong to. */
export interface PresetPrototypes {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
  /**
   * Makes `app`'s request and response prototypes the ones the server already creates its
   * requests and responses with. Call once, before the app serves; requests created before it
   * get the app's methods too.
   */
  adopt(app: Express): void;
}

const isClass = (constructor: unknown) => /^class\b/.test(Function.prototype.toString.call(constructor));
const constructorsAreClasses = () => isClass(IncomingMessage) || isClass(ServerResponse);

function requestClass(prototype: object): typeof IncomingMessage {
  const construct = IncomingMessage as unknown as (this: object, socket: Socket) => void;
  // `Reflect.construct` would do the same for classes too, but costs more on Node 20 than it saves.
  function PresetIncomingMessage(this: object, socket: Socket) {
    construct.call(this, socket);
  }
  PresetIncomingMessage.prototype = prototype;
  return PresetIncomingMessage as unknown as typeof IncomingMessage;
}

function responseClass(prototype: object): typeof ServerResponse {
  const construct = ServerResponse as unknown as (this: object, req: IncomingMessage, options?: object) => void;
  function PresetServerResponse(this: object, req: IncomingMessage, options?: object) {
    construct.call(this, req, options);
  }
  PresetServerResponse.prototype = prototype;
  return PresetServerResponse as unknown as typeof ServerResponse;
}

function adoptInto(prototype: object, expressPrototype: object, app: Express): void {
  // Express's own prototype for the app is `app` on top of `express.request` (or `.response`).
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(expressPrototype) as object);
  Object.defineProperty(prototype, 'app', { configurable: true, enumerable: true, writable: true, value: app });
}

/**
 * True where presetting pays: on V8 before 13 (Node 20 and 22) Express's prototype change costs
 * more than the rest of Express; V8 13 (Node 24) makes it cheap and serves the preset objects
 * slower than its own (docs/performance.md, "Express's prototype change per request").
 */
export function presetsPayOff(v8Version: string): boolean {
  return Number.parseInt(v8Version, 10) < 13;
}

/**
 * Express 5 gives each request and response its app's prototypes with `Object.setPrototypeOf`,
 * per request; when the object already has that prototype V8 does nothing. So the server creates
 * its requests and responses with the prototypes the app will use (Node's `IncomingMessage` and
 * `ServerResponse` server options), and the app, created later (after the server listens), adopts
 * those objects as its prototypes. Throws where Node's constructors are classes, which cannot be
 * called on an object chosen beforehand.
 */
export function createPresetPrototypes(): PresetPrototypes {
  if (constructorsAreClasses()) throw new Error("Node's request and response constructors are classes");
  const request = Object.create(IncomingMessage.prototype) as object;
  const response = Object.create(ServerResponse.prototype) as object;
  let adopted = false;
  return {
    IncomingMessage: requestClass(request),
    ServerResponse: responseClass(response),
    adopt(app) {
      // A second app would take the prototypes away from the first one's requests.
      if (adopted) throw new Error('these prototypes already belong to an app');
      adopted = true;
      adoptInto(request, app.request, app);
      adoptInto(response, app.response, app);
      app.request = request as Express['request'];
      app.response = response as Express['response'];
    },
  };
}

/**
 * The presets for the server the service runs, where they pay off on this Node; undefined
 * elsewhere, and the server then uses Node's own classes as Express expects by default.
 */
export function presetExpressPrototypes(): PresetPrototypes | undefined {
  if (!presetsPayOff(process.versions.v8) || constructorsAreClasses()) return undefined;
  return createPresetPrototypes();
}

/** The `node:http` server options that create requests and responses with `prototypes`; none without. */
export function serverOptions(prototypes: PresetPrototypes | undefined): ServerOptions {
  return prototypes ? { IncomingMessage: prototypes.IncomingMessage, ServerResponse: prototypes.ServerResponse } : {};
}
