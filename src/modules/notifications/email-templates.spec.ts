import { Language, SUPPORTED_LANGUAGES } from '../../infra/i18n/language';
import { EmailKind } from './email-kind';
import { EmailData, renderEmail } from './email-templates';

const ORDER_ID = '3f2b9c1e-7d4a-4e8b-9a61-0c5d2e8f7b14';
const SHORT_ID = '3f2b9c1e';
const EXPORT_ID = '9a8b7c6d-1111-4222-8333-944455556666';

const FULL: EmailData = {
  customerName: 'Maria Silva',
  orderId: ORDER_ID,
  totalCents: 4999,
  currency: 'EUR',
  carrier: 'Correios',
  trackingNumber: 'BR123456789XX',
  refundedCents: 1999,
  reason: 'Out of stock',
  alert: { title: 'Refund failed', detail: 'Stripe answered 402', correlationId: 'corr-42' },
  exportId: EXPORT_ID,
  rowCount: 12345,
  downloadPath: '/v1/admin/exports/9a8b7c6d/download',
};

const KINDS = Object.values(EmailKind);
const ORDER_KINDS = KINDS.filter((kind) => kind.startsWith('ORDER_'));

describe(renderEmail.name, () => {
  describe.each(KINDS)('%s', (kind) => {
    it.each(SUPPORTED_LANGUAGES)('renders a subject, a text and an HTML part in %s', (language) => {
      const sut = renderEmail(kind, language, FULL);

      expect(sut.subject.trim()).not.toBe('');
      expect(sut.subject).not.toMatch(/[\r\n]/);
      expect(sut.text.trim()).not.toBe('');
      expect(sut.html).toContain(`<html lang="${language}">`);
      expect(sut.html).toContain('</html>');
    });

    it('is written differently in pt-BR than in en', () => {
      const en = renderEmail(kind, 'en', FULL);
      const ptBr = renderEmail(kind, 'pt-BR', FULL);

      expect(ptBr.subject).not.toBe(en.subject);
      expect(ptBr.text).not.toBe(en.text);
      expect(ptBr.html).not.toBe(en.html);
    });

    it.each(SUPPORTED_LANGUAGES)('mirrors every line of the text part in the HTML part (%s)', (language) => {
      const sut = renderEmail(kind, language, FULL);
      const lines = sut.text.split('\n').filter((line) => line !== '');
      const visible = htmlToVisibleText(sut.html);

      for (const line of lines) {
        for (const piece of line.split(': ')) expect(visible).toContain(piece);
      }
    });
  });

  it.each(ORDER_KINDS)('puts the short order id in the subject of %s', (kind) => {
    for (const language of SUPPORTED_LANGUAGES) {
      const sut = renderEmail(kind, language, FULL);
      expect(sut.subject).toContain(`#${SHORT_ID}`);
      expect(sut.subject).not.toContain(ORDER_ID);
    }
  });

  it('says in natural Portuguese that the order shipped, with carrier and tracking code', () => {
    const sut = renderEmail(EmailKind.ORDER_SHIPPED, 'pt-BR', FULL);

    expect(sut.subject).toBe(`Seu pedido #${SHORT_ID} foi enviado`);
    expect(sut.text).toContain('Transportadora: Correios');
    expect(sut.text).toContain('Código de rastreio: BR123456789XX');
    expect(sut.html).toContain('Correios');
    expect(sut.html).toContain('BR123456789XX');
    expect(renderEmail(EmailKind.ORDER_CONFIRMED, 'pt-BR', FULL).text).toContain('Pedido confirmado');
  });

  it('shows carrier and tracking number in English too, and leaves out what is missing', () => {
    const sut = renderEmail(EmailKind.ORDER_SHIPPED, 'en', FULL);
    expect(sut.text).toContain('Carrier: Correios');
    expect(sut.text).toContain('Tracking number: BR123456789XX');

    const untracked = renderEmail(EmailKind.ORDER_SHIPPED, 'en', { orderId: ORDER_ID, carrier: 'DHL' });
    expect(untracked.text).toContain('Carrier: DHL');
    expect(untracked.text).not.toContain('Tracking number');
    expect(untracked.html).not.toContain('Tracking number');
  });

  it('greets by name when there is one', () => {
    expect(renderEmail(EmailKind.ORDER_DELIVERED, 'en', FULL).text).toContain('Hi Maria Silva,');
    expect(renderEmail(EmailKind.ORDER_DELIVERED, 'pt-BR', FULL).text).toContain('Olá, Maria Silva!');
    expect(renderEmail(EmailKind.ORDER_DELIVERED, 'en', { orderId: ORDER_ID }).text).toContain('Hi,');
    expect(renderEmail(EmailKind.ORDER_DELIVERED, 'pt-BR', { orderId: ORDER_ID }).text).toContain('Olá!');
  });

  describe('HTML escaping', () => {
    const hostile = '<script>alert("x")</script> & \'friends\'';

    it.each(SUPPORTED_LANGUAGES)(
      'escapes the customer name in the HTML part and keeps it as is in text (%s)',
      (language) => {
        const sut = renderEmail(EmailKind.ORDER_CONFIRMED, language, { ...FULL, customerName: hostile });

        expect(sut.html).not.toContain('<script>');
        expect(sut.html).toContain(
          '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;',
        );
        expect(sut.text).toContain(hostile);
      },
    );

    it('escapes every other interpolated value too', () => {
      const sut = renderEmail(EmailKind.ADMIN_ALERT, 'en', {
        orderId: '<b>id</b>',
        alert: {
          title: '<img src=x onerror=alert(1)>',
          detail: 'line 1\n<i>line 2</i>',
          correlationId: '"c"',
        },
      });

      expect(sut.html).not.toMatch(/<(b|i|img)[ >]/);
      expect(sut.html).toContain(
        '<title>[Dispatch alert] &lt;img src=x onerror=alert(1)&gt; (order #&lt;b&gt;id&lt;/b)</title>',
      );
      expect(sut.html).toContain('line 1<br>&lt;i&gt;line 2&lt;/i&gt;');
      expect(sut.html).toContain('&quot;c&quot;');
    });
  });

  describe('money', () => {
    it.each<[number, Language, string]>([
      [1999, 'en', 'EUR 19.99'],
      [1999, 'pt-BR', 'EUR 19,99'],
      [5, 'en', 'EUR 0.05'],
      [5, 'pt-BR', 'EUR 0,05'],
      [0, 'en', 'EUR 0.00'],
      [0, 'pt-BR', 'EUR 0,00'],
      [123456789, 'en', 'EUR 1,234,567.89'],
      [123456789, 'pt-BR', 'EUR 1.234.567,89'],
    ])('formats %i cents in %s as %s', (cents, language, expected) => {
      const sut = renderEmail(EmailKind.ORDER_CONFIRMED, language, {
        orderId: ORDER_ID,
        totalCents: cents,
        currency: 'EUR',
      });

      expect(sut.text).toContain(`Total: ${expected}\n`);
      expect(sut.html).toContain(`>${expected}</td>`);
    });

    it('states the refunded amount, not the order total, in the refund email', () => {
      expect(renderEmail(EmailKind.ORDER_REFUNDED, 'en', FULL).text).toContain(
        `We've refunded EUR 19.99 for order #${SHORT_ID}.`,
      );
      expect(renderEmail(EmailKind.ORDER_REFUNDED, 'pt-BR', FULL).text).toContain(
        `Reembolsamos EUR 19,99 referente ao pedido #${SHORT_ID}.`,
      );
    });

    it('refuses amounts that are not integer cents', () => {
      expect(() =>
        renderEmail(EmailKind.ORDER_CONFIRMED, 'en', { orderId: ORDER_ID, totalCents: 19.99 }),
      ).toThrow(RangeError);
    });
  });

  describe('admin emails', () => {
    it('puts the alert title in the subject and the correlation id in the body', () => {
      const sut = renderEmail(EmailKind.ADMIN_ALERT, 'en', {
        alert: { title: 'Outbox\nstalled', detail: '12 rows' },
      });

      expect(sut.subject).toBe('[Dispatch alert] Outbox stalled');
      expect(renderEmail(EmailKind.ADMIN_ALERT, 'pt-BR', FULL).text).toContain('ID de correlação: corr-42');
    });

    it('lists the export with a grouped row count and the download path', () => {
      const sut = renderEmail(EmailKind.EXPORT_READY, 'pt-BR', FULL);

      expect(sut.subject).toBe('Exportação 9a8b7c6d pronta');
      expect(sut.text).toContain('Linhas: 12.345');
      expect(sut.text).toContain('Download: /v1/admin/exports/9a8b7c6d/download');
      expect(renderEmail(EmailKind.EXPORT_READY, 'en', FULL).text).toContain('Rows: 12,345');
    });
  });

  it.each<[EmailKind, EmailData, string]>([
    [EmailKind.ORDER_SHIPPED, { carrier: 'DHL' }, 'orderId'],
    [EmailKind.ADMIN_ALERT, {}, 'alert'],
    [EmailKind.EXPORT_READY, { exportId: EXPORT_ID }, 'downloadPath'],
  ])('refuses to render %s without the field it is about', (kind, data, field) => {
    expect(() => renderEmail(kind, 'en', data)).toThrow(`renderEmail(${kind}) needs ${field}`);
  });
});

/** Roughly what a mail client shows: tags dropped, entities decoded. */
function htmlToVisibleText(html: string): string {
  return html
    .replace(/<title>.*<\/title>/, '')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
