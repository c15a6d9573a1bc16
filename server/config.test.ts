import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig: the overload bounds', () => {
  it('keeps 128 requests in flight, waits 100 ms for a slot and sheds past 100 ms of event-loop delay by default', () => {
    expect(loadConfig({})).toMatchObject({ overloadMaxInFlight: 128, overloadMaxWaitMs: 100, overloadMaxEventLoopDelayMs: 100 });
  });

  it('takes KATAVEN_OVERLOAD_MAX_IN_FLIGHT over the default', () => {
    expect(loadConfig({ KATAVEN_OVERLOAD_MAX_IN_FLIGHT: '32' }).overloadMaxInFlight).toBe(32);
  });

  it('refuses an in-flight bound that is not a whole number of requests', () => {
    expect(() => loadConfig({ KATAVEN_OVERLOAD_MAX_IN_FLIGHT: '2.5' })).toThrow('KATAVEN_OVERLOAD_MAX_IN_FLIGHT: must be a whole number of requests');
    expect(() => loadConfig({ KATAVEN_OVERLOAD_MAX_IN_FLIGHT: '0' })).toThrow(/^KATAVEN_OVERLOAD_MAX_IN_FLIGHT: /);
  });
});
