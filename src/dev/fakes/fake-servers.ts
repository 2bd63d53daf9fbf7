import { FakeErpServer } from './erp/fake-erp.server';
import { SmtpCaptureApi } from './smtp/smtp-capture.api';
import { SmtpCaptureServer } from './smtp/smtp-capture.server';
import { FakeStripeServer } from './stripe/fake-stripe.server';

export interface FakeServersOptions {
  /** Port 0 picks a free one (tests); undefined leaves the fake out. */
  stripe?: { port: number; webhook?: { url: string; secret: string } };
  erp?: { port: number; username: string; password: string };
  smtp?: { port: number; apiPort: number };
}

/** The outside world of a development setup, in one process: fake Stripe, fake ERP and the SMTP capture. */
export class FakeServers {
  private constructor(
    readonly stripe: FakeStripeServer | null,
    readonly erp: FakeErpServer | null,
    readonly smtp: SmtpCaptureServer | null,
    readonly smtpApi: SmtpCaptureApi | null,
  ) {}

  static async start(options: FakeServersOptions): Promise<FakeServers> {
    const started: { stop(): Promise<void> }[] = [];
    const track = <T extends { stop(): Promise<void> }>(server: T) => {
      started.push(server);
      return server;
    };
    try {
      const stripe = options.stripe
        ? track(await FakeStripeServer.start({ port: options.stripe.port, webhook: options.stripe.webhook }))
        : null;
      const erp = options.erp ? track(await FakeErpServer.start(options.erp)) : null;
      const smtp = options.smtp ? track(await SmtpCaptureServer.start({ port: options.smtp.port })) : null;
      const smtpApi =
        smtp && options.smtp ? track(await SmtpCaptureApi.start(smtp, options.smtp.apiPort)) : null;
      return new FakeServers(stripe, erp, smtp, smtpApi);
    } catch (error) {
      await Promise.all(started.map((server) => server.stop()));
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.stripe?.stop(), this.erp?.stop(), this.smtpApi?.stop(), this.smtp?.stop()]);
  }
}
