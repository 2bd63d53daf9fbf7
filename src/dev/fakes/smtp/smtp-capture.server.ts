import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';

import { AddressObject, ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/** One received email, as a test or a developer wants to look at it. */
export interface CapturedMessage {
  id: string;
  /** ISO 8601, when the DATA phase ended. */
  receivedAt: string;
  /** What the SMTP client said in MAIL FROM / RCPT TO; includes Bcc recipients, which no header shows. */
  envelope: { from: string; to: string[] };
  /** The address of the From header, without the display name (that stays in `headers.from`). */
  from: string;
  /** The addresses of the To header. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Lower-case names (`x-dispatch-order-id`). A repeated header keeps its first (topmost) value. */
  headers: Record<string, string>;
}

export interface SmtpCaptureServerOptions {
  /** 0 (default) picks a free port; read it back from `port`. */
  port?: number;
  /** How many messages to keep; older ones are dropped first. Default 1000. */
  keep?: number;
}

export interface CapturedMessageFilter {
  /** Matches an address of the To header or of the envelope (so Bcc too), ignoring case. */
  to?: string;
  /** A string matches when the subject contains it. */
  subject?: string | RegExp;
  /** Header name (any case) and exact value. */
  header?: [name: string, value: string];
}

interface Waiter {
  predicate: (message: CapturedMessage) => boolean;
  resolve: (message: CapturedMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const HOST = '127.0.0.1';
const DEFAULT_KEEP = 1000;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_WAIT_MS = 5000;
const TIMEOUT_REPORT_SUBJECTS = 10;

/**
 * A real SMTP server on 127.0.0.1 that accepts every message and keeps it in memory, for development (point
 * the app's SMTP settings at it) and for tests (send through the real `Mailer`, then assert on what arrived).
 * No TLS and no real authentication: any credentials are accepted, so a dev config with a user still works.
 */
export class SmtpCaptureServer {
  private readonly server: SMTPServer;
  private readonly keep: number;
  private readonly captured: CapturedMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private stopping: Promise<void> | null = null;
  // Read once when listening: the socket has no address after stop, and callers may still ask.
  private boundPort = 0;

  private constructor(options: SmtpCaptureServerOptions) {
    this.keep = options.keep ?? DEFAULT_KEEP;
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      size: MAX_MESSAGE_BYTES,
      // Reverse DNS of 127.0.0.1 is pointless and can stall every connection on a machine with slow DNS.
      disableReverseLookup: true,
      logger: false,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      },
    });
  }

  /** Rejects with the listener's own error (`code: 'EADDRINUSE'` when the port is taken). */
  static async start(options: SmtpCaptureServerOptions = {}): Promise<SmtpCaptureServer> {
    const capture = new SmtpCaptureServer(options);
    await new Promise<void>((resolve, reject) => {
      capture.server.once('error', reject);
      capture.server.listen(options.port ?? 0, HOST, () => {
        capture.server.off('error', reject);
        resolve();
      });
    });
    // After listening, errors come from single client connections (a reset, a timeout). They concern that
    // client only, and without a listener the EventEmitter would throw them and crash the process.
    capture.server.on('error', () => undefined);
    capture.boundPort = (capture.server.server.address() as AddressInfo).port;
    return capture;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Captured messages, oldest first, newest last. */
  messages(filter: CapturedMessageFilter = {}): CapturedMessage[] {
    return this.captured.filter((message) => matches(message, filter));
  }

  clear(): void {
    this.captured.length = 0;
  }

  /**
   * Resolves with the newest message already captured that matches, else with the next one to arrive. Clear
   * between cases, or make the predicate specific (an order id header), so an earlier email cannot answer.
   */
  async waitFor(
    predicate: (message: CapturedMessage) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<CapturedMessage> {
    for (let index = this.captured.length - 1; index >= 0; index--) {
      if (predicate(this.captured[index])) return this.captured[index];
    }
    if (this.stopping) throw new Error('SmtpCaptureServer stopped');
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          // The newest subjects usually show at a glance what went wrong (a typo, another language).
          const newest = this.captured.slice(-TIMEOUT_REPORT_SUBJECTS).map((message) => message.subject);
          reject(
            new Error(
              `No matching email within ${timeoutMs} ms; captured ${this.captured.length}, newest: ${JSON.stringify(newest)}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Idempotent. Drops connected clients instead of waiting for them: a pooled sender never hangs up by itself. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      for (const waiter of this.waiters)
        this.settle(waiter, () => waiter.reject(new Error('SmtpCaptureServer stopped')));
      this.server.close(() => resolve());
      for (const connection of this.server.connections) {
        connection.send(421, 'Server shutting down');
        connection.close();
      }
    });
    return this.stopping;
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    // Buffered first, instead of parsing the stream, so an oversized message is never held past the limit.
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes <= MAX_MESSAGE_BYTES) chunks.push(chunk);
    }
    if (stream.sizeExceeded) {
      throw Object.assign(new Error('Message exceeds fixed maximum message size'), { responseCode: 552 });
    }
    const parsed = await simpleParser(Buffer.concat(chunks));
    this.capture({
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
      },
      from: parsed.from?.value[0]?.address ?? '',
      to: addresses(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: parsed.html || null,
      headers: flattenHeaders(parsed),
    });
  }

  private capture(message: CapturedMessage): void {
    this.captured.push(message);
    if (this.captured.length > this.keep) this.captured.splice(0, this.captured.length - this.keep);
    for (const waiter of this.waiters) {
      let matched: boolean;
      try {
        matched = waiter.predicate(message);
      } catch (error) {
        this.settle(waiter, () => waiter.reject(error as Error));
        continue;
      }
      if (matched) this.settle(waiter, () => waiter.resolve(message));
    }
  }

  private settle(waiter: Waiter, outcome: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    outcome();
  }
}

function matches(message: CapturedMessage, filter: CapturedMessageFilter): boolean {
  if (filter.to !== undefined) {
    const wanted = filter.to.toLowerCase();
    const recipients = [...message.to, ...message.envelope.to].map((address) => address.toLowerCase());
    if (!recipients.includes(wanted)) return false;
  }
  if (filter.subject !== undefined) {
    const found =
      typeof filter.subject === 'string'
        ? message.subject.includes(filter.subject)
        : filter.subject.test(message.subject);
    if (!found) return false;
  }
  if (filter.header !== undefined) {
    const [name, value] = filter.header;
    if (message.headers[name.toLowerCase()] !== value) return false;
  }
  return true;
}

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  // A group (`Team: a@x, b@y;`) carries its members instead of an address of its own.
  return objects
    .flatMap((object) => object.value)
    .flatMap((entry) => entry.group ?? [entry])
    .flatMap((entry) => (entry.address ? [entry.address] : []));
}

/**
 * mailparser decodes plain headers to strings but turns structured ones (From, Date, Content-Type) into objects.
 * Callers want one string per header, so those fall back to the raw line, unfolded.
 */
function flattenHeaders(parsed: ParsedMail): Record<string, string> {
  // A Map, not an object, while collecting: a header may be named `__proto__` or `constructor`.
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    if (headers.has(key)) continue;
    const decoded = parsed.headers.get(key);
    headers.set(
      key,
      typeof decoded === 'string'
        ? decoded
        : line
            .slice(line.indexOf(':') + 1)
            .replace(/\r?\n[ \t]+/g, ' ')
            .trim(),
    );
  }
  return Object.fromEntries(headers);
}
