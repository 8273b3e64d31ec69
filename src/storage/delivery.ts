import { failureKind, type LineBatch, type LineTransport } from './transport.ts';

export interface DeliveryReport {
  /** Requests made, splits included. */
  requests: number;
  written: number;
  /** Lines the database refused for good (dropped). */
  rejected: number;
  /** The first refused line and why, for the log. */
  firstRejected: { line: string; reason: string } | undefined;
  /** When given, every refused line is added (replay-spool keeps them for a person). */
  refusedLines?: string[];
}

/**
 * Requests one batch may spend isolating bad lines: enough to find a few dozen exactly
 * (k bad lines in n cost about 2k·log2(n/k) requests). A batch worse than that is mostly
 * bad; what is still unresolved is then dropped whole rather than holding every later
 * batch up for thousands of requests (InfluxDB 1.x has stored the good lines of those
 * pieces already, as a partial write).
 */
const SPLIT_BUDGET = 512;

/** InfluxDB 1.x says how many points of a partial write it dropped: `… dropped=3"}`. */
function droppedCount(err: unknown): number | undefined {
  const match = err instanceof Error ? /dropped=(\d+)/.exec(err.message) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * InfluxDB 1.x refuses points that would pass one of its limits (`max-values-per-tag`,
 * 100,000 by default: heatnet's `household` tag passes it at 100,000 households; and
 * `max-series-per-database`) as a partial write: everything else is stored, and the
 * refused points would be refused again however the batch is split. So the batch is
 * settled at once, and the reason says which setting to raise.
 */
const DATABASE_LIMIT = /(max-values-per-tag|max-series-per-database) limit exceeded/;

function limitHint(err: unknown): string | undefined {
  const limit = err instanceof Error ? DATABASE_LIMIT.exec(err.message)?.[1] : undefined;
  return (
    limit &&
    `InfluxDB's ${limit} limit refuses new series: raise ${limit} (0 = no limit) in influxdb.conf [data]`
  );
}

/**
 * Writes `batch` (text, or lines the writer encoded: sent as bytes where the transport can),
 * splitting around what the database will not take: a 413 halves the
 * request until it fits, a 400/422 halves it until the offending lines stand alone and
 * are dropped (within SPLIT_BUDGET; a batch InfluxDB 1.x says it dropped whole is dropped
 * at once). InfluxDB 1.x stores the good points of a "partial write" and still answers
 * 400; sending those again is harmless because points carry their timestamps.
 *
 * Throws the transport's error for `retry` and `auth`; the caller keeps every line then
 * (the halves written so far will be written again, harmlessly).
 */
export async function deliver(
  transport: LineTransport,
  batch: readonly string[] | LineBatch,
  report: DeliveryReport = { requests: 0, written: 0, rejected: 0, firstRejected: undefined },
): Promise<DeliveryReport> {
  const count = isBatch(batch) ? batch.count : batch.length;
  if (count === 0) return report;
  report.requests++;
  try {
    // Bytes as they are where the transport takes them; text only for the others.
    if (isBatch(batch) && transport.sendParts && batch.parts) {
      await transport.sendParts(batch.parts());
    } else if (isBatch(batch) && transport.sendBody) await transport.sendBody(batch.body());
    else await transport.send(textOf(batch));
    report.written += count;
    return report;
  } catch (err) {
    const kind = failureKind(err);
    if (kind === 'retry' || kind === 'auth') throw err;
    const lines = textOf(batch);
    const hint = kind === 'invalid' ? limitHint(err) : undefined;
    if (hint) return settleAtLimit(report, lines, err, hint);
    const hopeless =
      kind === 'invalid' && (droppedCount(err) === lines.length || report.requests >= SPLIT_BUDGET);
    if (lines.length === 1 || hopeless) {
      report.rejected += lines.length;
      report.refusedLines?.push(...lines);
      report.firstRejected ??= { line: lines[0] ?? '', reason: (err as Error).message };
      return report;
    }
    const half = Math.ceil(lines.length / 2);
    await deliver(transport, lines.slice(0, half), report);
    await deliver(transport, lines.slice(half), report);
    return report;
  }
}

/** A batch the database stored but for the points past its limit (which, it does not say). */
function settleAtLimit(
  report: DeliveryReport,
  lines: readonly string[],
  err: unknown,
  hint: string,
): DeliveryReport {
  const dropped = Math.min(droppedCount(err) ?? lines.length, lines.length);
  report.written += lines.length - dropped;
  report.rejected += dropped;
  // Which points were refused is not said: a person replaying gets the whole batch (the
  // stored points are overwritten with themselves, as they carry their timestamps).
  report.refusedLines?.push(...lines);
  report.firstRejected ??= { line: lines[0] ?? '', reason: `${hint} (${(err as Error).message})` };
  return report;
}

function isBatch(batch: readonly string[] | LineBatch): batch is LineBatch {
  return !Array.isArray(batch);
}

function textOf(batch: readonly string[] | LineBatch): readonly string[] {
  return isBatch(batch) ? batch.lines : batch;
}
