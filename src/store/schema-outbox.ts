import type { Generated } from 'kysely';

/** One notification to one channel (issue 12, migration 0008): the durable outbox. */
export interface AlertOutboxTable {
  /** The idempotency key: one row, one message, whatever retries or restarts happen. */
  key: string;
  channel: string;
  /** The Notification as JSON. */
  payload: string;
  /** pending | sending | sent | gave-up | merged */
  state: string;
  attempts: Generated<number>;
  /** How many queued messages this row stands for (a rate limit's batch: more than 1). */
  merged_count: Generated<number>;
  merged_into: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  /** When it may be tried (next) — backoff and rate limits push it later. */
  next_at_ms: number;
  /** The dispatcher that claimed it (sending), and when: a stale claim is in doubt. */
  claimed_by: string | null;
  claimed_at_ms: number | null;
  sent_at_ms: number | null;
  receipt: string | null;
  last_error: string | null;
}

/** Which alerts a message carried (for an alert's notification log). */
export interface AlertOutboxAlertTable {
  alert_id: string;
  key: string;
}
