// A real SMTP server (the `smtp-server` package) on a free loopback port for the e-mail
// channel's tests, with just enough MIME decoding (encoded words, quoted-printable, base64)
// to read back a single-part text mail as its recipient would.
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.ts';

export interface Mail {
  from: string;
  to: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
}

export interface SmtpHandle {
  port: number;
  mails: Mail[];
  /** Answer the next `n` messages with a temporary (4xx) or permanent (5xx) failure. */
  failNext(n: number, code: 451 | 550): void;
  stop(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpHandle> {
  const mails: Mail[] = [];
  const failures: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = failures.shift();
        if (code) {
          const err = Object.assign(new Error(code === 451 ? 'try later' : 'mailbox unknown'), {
            responseCode: code,
          });
          callback(err);
          return;
        }
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
        callback(null);
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    mails,
    failNext: (n, code) => failures.push(...Array.from({ length: n }, () => code)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Envelope {
  envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] };
}

function parseMail(raw: string, session: Envelope): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? quotedPrintable(body)
        : body;
  const from = session.envelope.mailFrom;
  return {
    from: from ? from.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    text: text.replace(/\r\n/g, '\n'),
  };
}

function quotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`)
    .replace(/%(?![0-9A-F]{2})/gi, '%25');
  return decodeURIComponent(bytes);
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=), adjacent ones joined. */
function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
      kind.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : quotedPrintable(data.replace(/_/g, ' ')),
    );
}
