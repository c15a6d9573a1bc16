import { describe, expect, it } from 'vitest';
import { median, summarize, type MeasuredWindow } from './summarize.js';
import type { Target, TargetId } from './targets.js';

const target = (id: TargetId, side: Target['side'], peer?: TargetId): Target => ({
  id,
  label: id,
  side,
  expectStatus: 200,
  singleUse: false,
  ...(peer === undefined ? {} : { peer }),
  prepare: () => Promise.reject(new Error('not run in this test')),
});

const window = (id: TargetId, round: number, rps: number, extra: Partial<MeasuredWindow> = {}): MeasuredWindow => ({
  target: id,
  round,
  rps,
  p50: 5,
  p99: 10,
  okP50: 5,
  okP99: 10,
  okP99AfterOpening: 9,
  rpsAfterOpening: rps,
  seconds: 5,
  completed: rps * 5,
  ok: rps * 5,
  errors: 0,
  unexpected: 0,
  statuses: { '200': rps * 5 },
  ...extra,
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('summarize', () => {
  const targets = [target('express', 'reference'), target('peer-client-credentials', 'peer'), target('user-token', 'kataven', 'peer-client-credentials')];

  it('reports the median rate over rounds and totals errors and unexpected statuses', () => {
    const [, , userToken] = summarize(targets, [
      window('user-token', 1, 100, { errors: 1 }),
      window('user-token', 2, 300, { unexpected: 2 }),
      window('user-token', 3, 200),
    ]);
    expect(userToken).toMatchObject({ rps: 200, rounds: 3, errors: 1, unexpected: 2 });
  });

  it('takes ratios round by round, so a round where the whole machine was slower cancels out', () => {
    const summaries = summarize(targets, [
      window('express', 1, 1000),
      window('user-token', 1, 500),
      window('peer-client-credentials', 1, 250),
      // Everything at half speed in round 2: the same ratios.
      window('express', 2, 500),
      window('user-token', 2, 250),
      window('peer-client-credentials', 2, 125),
      window('express', 3, 1000),
      window('user-token', 3, 500),
      window('peer-client-credentials', 3, 250),
    ]);
    const userToken = summaries.find((s) => s.id === 'user-token');
    expect(userToken?.ratioToExpress).toBe(0.5);
    expect(userToken?.ratioToPeer).toBe(2);
    expect(summaries.find((s) => s.id === 'express')?.ratioToExpress).toBe(1);
  });

  it('compares a twin with the window its baseline ran at the same time, not with the baseline measured alone', () => {
    const pg: Target = { ...target('exchange@postgres', 'kataven', 'peer-refresh'), baseline: 'exchange' };
    const paired = (round: number, rps: number, baselineRps: number) =>
      window('exchange@postgres', round, rps, {
        cpuMicrosPerRequest: 400 + round,
        pairedBaseline: window('exchange', round, baselineRps, { cpuMicrosPerRequest: 300 + round }),
      });
    const summaries = summarize([target('express', 'reference'), target('exchange', 'kataven'), pg], [
      window('express', 1, 4000),
      window('exchange', 1, 1000),
      paired(1, 350, 500),
      window('exchange', 2, 1000),
      // The machine slowed down during round 2's pair: both sides alike.
      paired(2, 140, 200),
      window('exchange', 3, 1000),
      paired(3, 450, 500),
    ]);
    const twin = summaries.find((s) => s.id === 'exchange@postgres');
    expect(twin?.ratioToBaseline).toBe(0.7);
    expect(twin).toMatchObject({ cpuMicrosPerRequest: 402, pairedBaselineCpuMicrosPerRequest: 302 });
    // Its rate was under shared load: no ratio to a reference.
    expect(twin?.ratioToExpress).toBeUndefined();
    expect(twin?.ratioToPeer).toBeUndefined();
    expect(summaries.find((s) => s.id === 'exchange')?.ratioToBaseline).toBeUndefined();
  });

  it('gives no ratio to a target without a peer or without a bare-Express measurement', () => {
    const [, peer] = summarize(targets, [window('peer-client-credentials', 1, 100)]);
    expect(peer?.ratioToPeer).toBeUndefined();
    expect(peer?.ratioToExpress).toBeUndefined();
  });

  it('reports the median server CPU per response, and none where the platform could not read it', () => {
    const [express, , userToken] = summarize(targets, [
      window('express', 1, 1000),
      window('user-token', 1, 500, { cpuMicrosPerRequest: 300 }),
      window('user-token', 2, 500, { cpuMicrosPerRequest: 100 }),
      window('user-token', 3, 500, { cpuMicrosPerRequest: 200 }),
    ]);
    expect(userToken?.cpuMicrosPerRequest).toBe(200);
    expect(express?.cpuMicrosPerRequest).toBeUndefined();
  });
});
