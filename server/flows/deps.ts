import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing } from '../tokens/keyRing.js';
import type { Store } from '../store/store.js';
import type { SecurityEvents } from './securityEvents.js';
import type { WidgetDirectory } from './widgetDirectory.js';

/** What every flow may use; built once by `createApp`. */
export interface FlowDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  config: Config;
  widgets: WidgetDirectory;
  events: SecurityEvents;
}
