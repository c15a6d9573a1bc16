export {
  createWidgetAuth,
  type WidgetAuth,
  type WidgetAuthOptions,
  type WidgetSession,
} from './createWidgetAuth.js';
export type { StorageKind } from './sessionStore.js';
export { KatavenError, type KatavenErrorCode } from '../shared/katavenError.js';
export type { Visitor } from '../../contract/tokens.js';
export type { WidgetConfig } from '../../contract/widgetConfig.js';
