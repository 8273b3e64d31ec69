import type { Notification } from '../../alerting/model.ts';
import type { ChannelType } from '../../config/schema-alert-channels.ts';

/** How this attempt goes out: what the outbox knows beyond the notification itself. */
export interface Delivery {
  /** The idempotency key, passed on wherever the receiver accepts one. */
  key: string;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * A restart found this message claimed with no outcome recorded: it may have reached
   * the receiver already. Channels without a receiver-side key say so in the text.
   */
  inDoubt: boolean;
  /** How many queued messages this one stands for (a rate limit merged them); 1 usually. */
  merged: number;
}

/** What a channel got back: the receiver's own id for the message where it gives one. */
export interface Receipt {
  id: string;
}

/**
 * One way to reach people (issue 12 item 5). `send` resolves with a receipt or rejects
 * with a ChannelError saying whether trying again can help.
 */
export interface AlertChannel {
  readonly id: string;
  readonly type: ChannelType;
  /**
   * The receiver drops a repeat of the same key (webhook's Idempotency-Key, SMS OutId,
   * e-mail Message-ID, MQTT payload key): a message in doubt after a crash may go again.
   */
  readonly dedupesByKey: boolean;
  send(notification: Notification, delivery: Delivery): Promise<Receipt>;
  close?(): Promise<void>;
}

/** A failed send; `retryable` false means the same request will never succeed (bad key …). */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The receiver said when to come back (HTTP Retry-After, a robot's rate limit). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** Any thrown value as a ChannelError: unknown failures (a socket reset) are worth retrying. */
export function asChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ChannelError(message, true);
}
