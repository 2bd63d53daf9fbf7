import { SMTPPoolOptions, SMTPPoolSentMessageInfo, Transporter, createTransport } from 'nodemailer';

/** pino-style: structured fields first, then the message. nestjs-pino's `Logger` and `PinoLogger` both fit. */
export interface MailerLogger {
  log(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface MailerOptions {
  host: string;
  port: number;
  /** true for implicit TLS (port 465). With false, nodemailer still upgrades with STARTTLS when offered. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Default sender, e.g. `Dispatch <no-reply@dispatch.example>`. */
  from: string;
  logger?: MailerLogger;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers such as `X-Dispatch-Order-Id`, so a sent email can be traced back to what caused it. */
  headers?: Record<string, string>;
  /**
   * A Message-ID of the caller's (angle brackets included). A resend after a crash reuses it, so mail stores
   * and clients that deduplicate by Message-ID show the customer one email.
   */
  messageId?: string;
}

export interface SentEmail {
  /** The Message-ID header, angle brackets included. */
  messageId: string;
}

// A mail server that does not answer should fail a send within seconds, so the job that sends it can retry,
// instead of holding a worker for nodemailer's two-minute default.
const CONNECTION_TIMEOUT_MS = 5_000;
const GREETING_TIMEOUT_MS = 5_000;
const SOCKET_TIMEOUT_MS = 30_000;
const MAX_CONNECTIONS = 3;

/**
 * Sends email over one pooled SMTP transport, so a burst of notifications reuses a few connections instead of
 * doing a TCP + TLS + AUTH handshake per message. Plain class; the notifications module provides it to Nest.
 */
export class Mailer {
  private readonly transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
  private readonly logger?: MailerLogger;

  constructor(private readonly options: MailerOptions) {
    this.logger = options.logger;
    this.transport = createTransport({
      pool: true,
      maxConnections: MAX_CONNECTIONS,
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user ? { user: options.user, pass: options.password } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      logger: false,
    });
  }

  /**
   * Sends one email and resolves once the SMTP server accepted it. Rejects with nodemailer's error (it carries
   * `code` and `responseCode`), which the caller logs and turns into a retry; bodies are never logged.
   */
  async send(message: OutgoingEmail): Promise<SentEmail> {
    const startedAt = Date.now();
    const info = await this.transport.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      messageId: message.messageId,
    });
    this.logger?.log(
      { to: message.to, subject: message.subject, messageId: info.messageId, ms: Date.now() - startedAt },
      'Email sent',
    );
    return { messageId: info.messageId };
  }

  /** Connects (and authenticates) once to check the configuration. For health checks: false, never a throw. */
  async verify(): Promise<boolean> {
    try {
      await this.transport.verify();
      return true;
    } catch (error) {
      this.logger?.warn(
        { host: this.options.host, port: this.options.port, error: (error as Error).message },
        'SMTP server unreachable or rejected the configuration',
      );
      return false;
    }
  }

  /** Closes idle pooled connections; a message being delivered finishes first. */
  close(): void {
    this.transport.close();
  }
}
