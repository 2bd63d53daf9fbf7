import { EmailKind } from '../../../modules/notifications/email-kind';
import { renderEmail } from '../../../modules/notifications/email-templates';
import { Mailer, MailerOptions, OutgoingEmail } from '../../../modules/notifications/mailer';
import { SmtpCaptureServer } from './smtp-capture.server';

const FROM = 'Dispatch <no-reply@dispatch.test>';
const ORDER_ID = '3f2b9c1e-7d4a-4e8b-9a61-0c5d2e8f7b14';

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'maria@example.com',
    subject: 'Order #3f2b9c1e confirmed',
    text: 'Thanks for your order!',
    html: '<p>Thanks for your order!</p>',
    ...overrides,
  };
}

// Real SMTP over loopback: the 10 MB message alone takes ~2.5 s on a 2-core machine and passed the 5 s default
// while `npm test` ran the integration suites beside it (the tests after it then timed out waiting behind it).
jest.setTimeout(30_000);

describe(SmtpCaptureServer.name, () => {
  let sut: SmtpCaptureServer;
  let mailer: Mailer;
  const logged: Array<{ level: 'log' | 'warn'; fields: Record<string, unknown>; message: string }> = [];
  const logger: MailerOptions['logger'] = {
    log: (fields, message) => logged.push({ level: 'log', fields, message }),
    warn: (fields, message) => logged.push({ level: 'warn', fields, message }),
  };

  beforeAll(async () => {
    sut = await SmtpCaptureServer.start();
    mailer = new Mailer({ host: '127.0.0.1', port: sut.port, secure: false, from: FROM, logger });
  });

  beforeEach(() => {
    sut.clear();
    logged.length = 0;
  });

  afterAll(async () => {
    mailer.close();
    await sut.stop();
  });

  it('captures a message sent through the Mailer with envelope, bodies and custom headers', async () => {
    const { messageId } = await mailer.send(
      email({ headers: { 'X-Dispatch-Order-Id': ORDER_ID, 'X-Dispatch-Email-Kind': 'ORDER_CONFIRMED' } }),
    );

    const [message] = sut.messages();
    expect(message).toMatchObject({
      envelope: { from: 'no-reply@dispatch.test', to: ['maria@example.com'] },
      from: 'no-reply@dispatch.test',
      to: ['maria@example.com'],
      subject: 'Order #3f2b9c1e confirmed',
      text: 'Thanks for your order!',
      html: '<p>Thanks for your order!</p>',
    });
    expect(message.headers).toMatchObject({
      'x-dispatch-order-id': ORDER_ID,
      'x-dispatch-email-kind': 'ORDER_CONFIRMED',
      'message-id': messageId,
      from: 'Dispatch <no-reply@dispatch.test>',
    });
    expect(message.id).toEqual(expect.any(String));
    expect(Date.parse(message.receivedAt)).not.toBeNaN();
  });

  it('keeps a rendered pt-BR email intact (encoded subject, accents in both parts)', async () => {
    const rendered = renderEmail(EmailKind.ORDER_SHIPPED, 'pt-BR', {
      orderId: ORDER_ID,
      customerName: 'João',
      carrier: 'Correios',
      trackingNumber: 'BR123456789XX',
    });
    await mailer.send({ to: 'joao@example.com', ...rendered });

    const message = await sut.waitFor((m) => m.to.includes('joao@example.com'));
    expect(message.subject).toBe('Seu pedido #3f2b9c1e foi enviado');
    expect(message.text).toBe(rendered.text);
    expect(message.html).toBe(rendered.html);
  });

  it('filters by recipient (any case), subject and header', async () => {
    await mailer.send(email({ to: 'Maria@Example.com', headers: { 'X-Dispatch-Order-Id': 'a' } }));
    await mailer.send(email({ to: 'ops@dispatch.test', subject: 'Export 1234abcd is ready' }));
    await mailer.send(email({ to: 'ops@dispatch.test', subject: '[Dispatch alert] Refund failed' }));

    expect(sut.messages()).toHaveLength(3);
    expect(sut.messages({ to: 'maria@example.com' })).toHaveLength(1);
    expect(sut.messages({ to: 'ops@dispatch.test' }).map((m) => m.subject)).toEqual([
      'Export 1234abcd is ready',
      '[Dispatch alert] Refund failed',
    ]);
    expect(sut.messages({ subject: 'is ready' })).toHaveLength(1);
    expect(sut.messages({ subject: /^\[Dispatch alert\]/ })).toHaveLength(1);
    expect(sut.messages({ header: ['X-Dispatch-Order-Id', 'a'] })).toHaveLength(1);
    expect(sut.messages({ header: ['x-dispatch-order-id', 'b'] })).toHaveLength(0);
    expect(sut.messages({ to: 'ops@dispatch.test', subject: 'Refund' })).toHaveLength(1);
  });

  it('waitFor resolves with a message that arrives after the call', async () => {
    const waiting = sut.waitFor((m) => m.headers['x-dispatch-order-id'] === 'later', 2000);
    await mailer.send(email({ headers: { 'X-Dispatch-Order-Id': 'other' } }));
    await mailer.send(email({ headers: { 'X-Dispatch-Order-Id': 'later' } }));

    await expect(waiting).resolves.toMatchObject({
      headers: expect.objectContaining({ 'x-dispatch-order-id': 'later' }),
    });
  });

  it('waitFor resolves at once with the newest message already captured', async () => {
    await mailer.send(email({ subject: 'first' }));
    await mailer.send(email({ subject: 'second' }));

    await expect(sut.waitFor((m) => m.to.includes('maria@example.com'), 10)).resolves.toMatchObject({
      subject: 'second',
    });
  });

  it('waitFor rejects when nothing matches within the timeout', async () => {
    await mailer.send(email({ subject: 'unrelated' }));

    await expect(sut.waitFor((m) => m.subject === 'never', 50)).rejects.toThrow(
      /No matching email within 50 ms; captured 1, newest: \["unrelated"\]/,
    );
  });

  it('clear forgets everything captured so far', async () => {
    await mailer.send(email());
    expect(sut.messages()).toHaveLength(1);

    sut.clear();

    expect(sut.messages()).toEqual([]);
    await expect(sut.waitFor(() => true, 20)).rejects.toThrow(/captured 0/);
  });

  it('surfaces EADDRINUSE with the original error when the port is taken', async () => {
    await expect(SmtpCaptureServer.start({ port: sut.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('keeps only the newest messages beyond its limit', async () => {
    const small = await SmtpCaptureServer.start({ keep: 2 });
    const sender = new Mailer({ host: '127.0.0.1', port: small.port, secure: false, from: FROM });
    try {
      for (const subject of ['one', 'two', 'three']) await sender.send(email({ subject }));
      expect(small.messages().map((m) => m.subject)).toEqual(['two', 'three']);
    } finally {
      sender.close();
      await small.stop();
    }
  });

  it('refuses a message over 10 MB with 552, keeps nothing of it and goes on accepting', async () => {
    const tooBig = email({ subject: 'huge', text: 'x'.repeat(10 * 1024 * 1024 + 1) });

    await expect(mailer.send(tooBig)).rejects.toMatchObject({ responseCode: 552 });
    await mailer.send(email({ subject: 'small' }));

    expect(sut.messages().map((m) => m.subject)).toEqual(['small']);
  });

  it('accepts any credentials, so a dev config with a user still delivers', async () => {
    const withAuth = new Mailer({
      host: '127.0.0.1',
      port: sut.port,
      secure: false,
      user: 'dev',
      password: 'secret',
      from: FROM,
    });
    try {
      await withAuth.send(email({ subject: 'authenticated' }));
    } finally {
      withAuth.close();
    }
    expect(sut.messages({ subject: 'authenticated' })).toHaveLength(1);
  });

  it('rejects pending waitFor calls on stop and stops idempotently', async () => {
    const other = await SmtpCaptureServer.start();
    const waiting = other.waitFor(() => true, 5000);

    await Promise.all([other.stop(), other.stop()]);

    await expect(waiting).rejects.toThrow('SmtpCaptureServer stopped');
  });

  describe(Mailer.name, () => {
    it('logs each send with recipient, subject, message id and duration, never the bodies', async () => {
      const { messageId } = await mailer.send(
        email({ text: 'secret text body', html: '<p>secret html body</p>' }),
      );

      expect(logged).toEqual([
        {
          level: 'log',
          message: 'Email sent',
          fields: {
            to: 'maria@example.com',
            subject: 'Order #3f2b9c1e confirmed',
            messageId,
            ms: expect.any(Number),
          },
        },
      ]);
      expect(messageId).toMatch(/^<.+@.+>$/);
      expect(JSON.stringify(logged)).not.toContain('secret');
    });

    it('verify is true for a reachable server, false with a warning for a closed port', async () => {
      const gone = await SmtpCaptureServer.start();
      const closedPort = gone.port;
      await gone.stop();
      const unreachable = new Mailer({
        host: '127.0.0.1',
        port: closedPort,
        secure: false,
        from: FROM,
        logger,
      });
      try {
        await expect(mailer.verify()).resolves.toBe(true);
        await expect(unreachable.verify()).resolves.toBe(false);
      } finally {
        unreachable.close();
      }
      expect(logged).toEqual([
        expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ port: closedPort }) }),
      ]);
    });

    it('rejects a send to an unreachable server and leaves logging to the caller', async () => {
      const gone = await SmtpCaptureServer.start();
      const closedPort = gone.port;
      await gone.stop();
      const unreachable = new Mailer({
        host: '127.0.0.1',
        port: closedPort,
        secure: false,
        from: FROM,
        logger,
      });
      try {
        await expect(unreachable.send(email())).rejects.toMatchObject({ code: expect.any(String) });
      } finally {
        unreachable.close();
      }
      expect(logged).toEqual([]);
    });
  });
});
