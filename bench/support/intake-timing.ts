/**
 * The intake bench's breakdown (bench/complaints.ts): the jobs that share heatnet's event
 * loop with the calls, timed on the wall clock, and the calls' latencies split by which
 * job they overlapped — what is left "apart" is the intake's own cost and the loop's
 * other small work. Wrapping is done on the app's own objects; nothing in src/ changes.
 */
import type { HeatnetApp } from '../../src/app.ts';
import type { PostResult } from './post-complaints.ts';

export interface Span {
  start: number;
  end: number;
}

export interface JobTimes {
  /** Balance evaluations, sync or sliced: from the first step to the last. */
  evaluations: Span[];
  /** The desk's proactive sweeps after each evaluation. */
  sweeps: Span[];
  /** The ledger's room-day flushes (one transaction every 2 minutes). */
  flushes: Span[];
  /** The synchronous part of each second's ingest batch (state, windows, storage queue). */
  ingest: Span[];
}

const wallNow = () => performance.timeOrigin + performance.now();

/** Wraps `fn` so each call's span (to its promise's end, if it returns one) goes to `into`. */
function timed<A extends unknown[], R>(fn: (...args: A) => R, into: Span[], syncOnly = false) {
  return (...args: A): R => {
    const start = wallNow();
    const done = () => into.push({ start, end: wallNow() });
    const out = fn(...args);
    if (out instanceof Promise && !syncOnly) void out.finally(done).catch(() => undefined);
    else done();
    return out;
  };
}

export function timeJobs(app: HeatnetApp): JobTimes {
  const t: JobTimes = { evaluations: [], sweeps: [], flushes: [], ingest: [] };
  const { balance, desk, pipeline } = app;
  balance.evaluate = timed(balance.evaluate.bind(balance), t.evaluations);
  balance.evaluateInSlices = timed(balance.evaluateInSlices.bind(balance), t.evaluations);
  desk.onBalance = timed(desk.onBalance, t.sweeps);
  const roomDays = app.ledgerData.roomDays;
  roomDays.flush = timed(roomDays.flush.bind(roomDays), t.flushes);
  pipeline.accept = timed(pipeline.accept.bind(pipeline), t.ingest, true);
  return t;
}

export const quantile = (s: number[], q: number) =>
  s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : Number.NaN;

export function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    n: s.length,
    p50: r(quantile(s, 0.5)),
    p99: r(quantile(s, 0.99)),
    max: r(s.at(-1) ?? 0),
  };
}

export const spans = (xs: readonly Span[]) => summary(xs.map((x) => x.end - x.start));

/** Latencies of the answered calls, all and split by the jobs each call overlapped. */
export function report(results: PostResult[], jobs?: JobTimes) {
  const byStatus: Record<string, number> = {};
  for (const r of results) {
    const kind = r.error ? `0 ${r.error}` : String(r.status);
    byStatus[kind] = (byStatus[kind] ?? 0) + 1;
  }
  const ok = results.filter((r) => r.status === 200 || r.status === 201);
  const latency = (rs: PostResult[]) => summary(rs.map((r) => r.done - r.at));
  if (!jobs) return { all: latency(ok), byStatus };
  const over = (busy: readonly Span[]) => (r: PostResult) =>
    busy.some((b) => b.start < r.done && b.end > r.at);
  const evaluation = over([...jobs.evaluations, ...jobs.sweeps]);
  const flush = over(jobs.flushes);
  const ingest = over(jobs.ingest);
  return {
    all: latency(ok),
    duringEvaluation: latency(ok.filter(evaluation)),
    duringFlush: latency(ok.filter(flush)),
    duringIngestBatch: latency(ok.filter(ingest)),
    apart: latency(ok.filter((r) => !evaluation(r) && !flush(r) && !ingest(r))),
    byStatus,
  };
}
