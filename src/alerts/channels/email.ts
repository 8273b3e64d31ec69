import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Notification } from '../../alerting/model.ts';
import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel, Delivery, Receipt } from './channel.ts';
import { ChannelError } from './channel.ts';
import { render } from './template.ts';

/** Lines an e-mail lists: mail is read at a desk, so more than a robot's. */
const EMAIL_ALERTS = 50;

/**
 * E-mail over SMTP (nodemailer; only this folder may import it). The Message-ID is derived
 * from the outbox key, so a message sent again after a crash threads as the same mail in
 * every client and a gateway that deduplicates drops it.
 */
export class EmailChannel implements AlertChannel {
  readonly type = 'email';
  readonly dedupesByKey = true;
  readonly id: string;
  private transport: Transporter | undefined;

  constructor(
    private readonly config: AlertChannelConfig,
    private readonly timeZone: string,
  ) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    const to = [
      ...new Set([
        ...(this.config.to ?? []),
        ...n.recipients.flatMap((r) => (r.email ? [r.email] : [])),
      ]),
    ];
    if (to.length === 0) throw new ChannelError('no e-mail address to send to', false);
    const maxAlerts = this.config.maxAlerts > 0 ? this.config.maxAlerts : EMAIL_ALERTS;
    const { title, text } = render(n, d, {
      language: this.config.language,
      timeZone: this.timeZone,
      maxAlerts,
      markdown: false,
    });
    try {
      const info = await this.mailer().sendMail({
        from: this.config.from,
        to,
        subject: title,
        text,
        messageId: messageIdOf(d.key),
        headers: { 'X-Heatnet-Key': d.key, 'X-Heatnet-Group': n.groupKey },
      });
      return { id: `${info.messageId} ${String(info.response ?? '')}`.trim() };
    } catch (err) {
      throw smtpError(err);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }

  private mailer(): Transporter {
    const smtp = this.config.smtp!;
    this.transport ??= nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTLS,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: this.config.timeoutS * 1000,
      greetingTimeout: this.config.timeoutS * 1000,
      socketTimeout: this.config.timeoutS * 1000,
    });
    return this.transport;
  }
}

export function messageIdOf(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@heatnet.alerts>`;
}

/** A 5xx SMTP answer is permanent (unknown mailbox, refused sender); the rest may pass later. */
function smtpError(err: unknown): ChannelError {
  const e = err as { responseCode?: number; message?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
  return new ChannelError(`SMTP: ${e.message ?? String(err)}`, !permanent);
}
