import { Language } from '../../infra/i18n/language';
import { EmailKind } from './email-kind';

/** Everything a template may show. Which fields a kind needs is listed in REQUIRED below. */
export interface EmailData {
  customerName?: string;
  orderId?: string;
  /** Integer minor units (cents), like everywhere else in Dispatch. */
  totalCents?: number;
  currency?: string;
  carrier?: string;
  trackingNumber?: string;
  refundedCents?: number;
  reason?: string;
  alert?: { title: string; detail: string; correlationId?: string };
  exportId?: string;
  rowCount?: number;
  downloadPath?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A row whose value is undefined is left out, so templates can list optional facts without branching. */
type Fact = [label: string, value: string | undefined];
type Block = { type: 'paragraph'; text: string } | { type: 'facts'; rows: Fact[] };

/**
 * The copy of one email as plain strings. Both the HTML and the text part are rendered from it, so they cannot
 * drift apart, and the HTML renderer is the only place that turns a string into markup (it escapes all of it).
 */
interface Draft {
  subject: string;
  heading: string;
  blocks: Array<Block | undefined>;
  signOff: string;
}

/** The caller's data plus the values a locale's copy needs, already formatted for that locale. */
interface View {
  data: EmailData;
  /** `#` and the first 8 characters of the order id: what customers see and quote to support. '' without one. */
  ref: string;
  greeting: string;
  money(cents: number | undefined): string | undefined;
  count(value: number | undefined): string | undefined;
}

interface Locale {
  group: string;
  decimal: string;
  greeting(name: string | undefined): string;
  drafts: Record<EmailKind, (view: View) => Draft>;
}

const paragraph = (text: string): Block => ({ type: 'paragraph', text });
const facts = (...rows: Fact[]): Block => ({ type: 'facts', rows });

/** Without these a template would render a subject like "Order # confirmed"; failing loudly finds the bug. */
const REQUIRED: Record<EmailKind, ReadonlyArray<keyof EmailData>> = {
  [EmailKind.ORDER_CONFIRMED]: ['orderId'],
  [EmailKind.ORDER_SHIPPED]: ['orderId'],
  [EmailKind.ORDER_DELIVERED]: ['orderId'],
  [EmailKind.ORDER_CANCELLED]: ['orderId'],
  [EmailKind.ORDER_REFUNDED]: ['orderId'],
  [EmailKind.ADMIN_ALERT]: ['alert'],
  [EmailKind.EXPORT_READY]: ['exportId', 'downloadPath'],
};

const SHORT_ID_LENGTH = 8;

const EN_CUSTOMER_SIGN_OFF = '— The Dispatch team';
const EN_ADMIN_SIGN_OFF = 'Sent automatically by Dispatch.';

const EN: Locale = {
  group: ',',
  decimal: '.',
  greeting: (name) => (name ? `Hi ${name},` : 'Hi,'),
  drafts: {
    [EmailKind.ORDER_CONFIRMED]: (v) => ({
      subject: `Order ${v.ref} confirmed`,
      heading: 'Order confirmed',
      blocks: [
        paragraph(v.greeting),
        paragraph("Thanks for your order! We've received it and are getting it ready."),
        facts(['Order', v.ref], ['Total', v.money(v.data.totalCents)]),
        paragraph("We'll email you again as soon as it ships."),
      ],
      signOff: EN_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_SHIPPED]: (v) => ({
      subject: `Your order ${v.ref} has shipped`,
      heading: 'Your order is on its way',
      blocks: [
        paragraph(v.greeting),
        paragraph(`Good news: order ${v.ref} has left our warehouse.`),
        facts(['Carrier', v.data.carrier], ['Tracking number', v.data.trackingNumber]),
        v.data.trackingNumber
          ? paragraph('It can take up to 24 hours for the carrier to show the first tracking update.')
          : undefined,
      ],
      signOff: EN_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_DELIVERED]: (v) => ({
      subject: `Your order ${v.ref} was delivered`,
      heading: 'Your order was delivered',
      blocks: [
        paragraph(v.greeting),
        paragraph(`Order ${v.ref} has been delivered. We hope you enjoy it!`),
        paragraph('If something is not right, contact our support team and mention the order number above.'),
      ],
      signOff: EN_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_CANCELLED]: (v) => ({
      subject: `Order ${v.ref} cancelled`,
      heading: 'Your order was cancelled',
      blocks: [
        paragraph(v.greeting),
        paragraph(`Order ${v.ref} has been cancelled.`),
        facts(['Reason', v.data.reason]),
        paragraph('If you were already charged, you will get a separate email once the refund is issued.'),
      ],
      signOff: EN_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_REFUNDED]: (v) => {
      const amount = v.money(v.data.refundedCents);
      return {
        subject: `Refund for order ${v.ref}`,
        heading: 'Refund issued',
        blocks: [
          paragraph(v.greeting),
          paragraph(
            amount
              ? `We've refunded ${amount} for order ${v.ref}.`
              : `We've issued a refund for order ${v.ref}.`,
          ),
          facts(['Order total', v.money(v.data.totalCents)], ['Reason', v.data.reason]),
          paragraph('Depending on your bank, it can take 5 to 10 business days to appear on your statement.'),
        ],
        signOff: EN_CUSTOMER_SIGN_OFF,
      };
    },
    [EmailKind.ADMIN_ALERT]: (v) => {
      const alert = v.data.alert!;
      return {
        subject: `[Dispatch alert] ${alert.title}${v.ref ? ` (order ${v.ref})` : ''}`,
        heading: alert.title,
        blocks: [
          paragraph(alert.detail),
          facts(['Order', v.data.orderId], ['Correlation ID', alert.correlationId]),
        ],
        signOff: EN_ADMIN_SIGN_OFF,
      };
    },
    [EmailKind.EXPORT_READY]: (v) => ({
      subject: `Export ${shortId(v.data.exportId!)} is ready`,
      heading: 'Your export is ready',
      blocks: [
        paragraph('The export you requested has finished and is ready to download.'),
        facts(
          ['Export', v.data.exportId],
          ['Rows', v.count(v.data.rowCount)],
          ['Download', v.data.downloadPath],
        ),
      ],
      signOff: EN_ADMIN_SIGN_OFF,
    }),
  },
};

const PT_BR_CUSTOMER_SIGN_OFF = '— Equipe Dispatch';
const PT_BR_ADMIN_SIGN_OFF = 'Enviado automaticamente pelo Dispatch.';

const PT_BR: Locale = {
  group: '.',
  decimal: ',',
  greeting: (name) => (name ? `Olá, ${name}!` : 'Olá!'),
  drafts: {
    [EmailKind.ORDER_CONFIRMED]: (v) => ({
      subject: `Pedido ${v.ref} confirmado`,
      heading: 'Pedido confirmado',
      blocks: [
        paragraph(v.greeting),
        paragraph('Obrigado pela sua compra! Recebemos o seu pedido e já estamos preparando tudo.'),
        facts(['Pedido', v.ref], ['Total', v.money(v.data.totalCents)]),
        paragraph('Avisaremos por e-mail assim que ele for enviado.'),
      ],
      signOff: PT_BR_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_SHIPPED]: (v) => ({
      subject: `Seu pedido ${v.ref} foi enviado`,
      heading: 'Seu pedido foi enviado',
      blocks: [
        paragraph(v.greeting),
        paragraph(`Boa notícia: o pedido ${v.ref} já está a caminho.`),
        facts(['Transportadora', v.data.carrier], ['Código de rastreio', v.data.trackingNumber]),
        v.data.trackingNumber
          ? paragraph(
              'Pode levar até 24 horas para a transportadora mostrar a primeira atualização do rastreio.',
            )
          : undefined,
      ],
      signOff: PT_BR_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_DELIVERED]: (v) => ({
      subject: `Seu pedido ${v.ref} foi entregue`,
      heading: 'Seu pedido foi entregue',
      blocks: [
        paragraph(v.greeting),
        paragraph(`O pedido ${v.ref} foi entregue. Esperamos que você goste!`),
        paragraph(
          'Se algo não estiver certo, fale com o nosso atendimento e informe o número do pedido acima.',
        ),
      ],
      signOff: PT_BR_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_CANCELLED]: (v) => ({
      subject: `Pedido ${v.ref} cancelado`,
      heading: 'Seu pedido foi cancelado',
      blocks: [
        paragraph(v.greeting),
        paragraph(`O pedido ${v.ref} foi cancelado.`),
        facts(['Motivo', v.data.reason]),
        paragraph(
          'Se a cobrança já tiver sido feita, você receberá outro e-mail assim que o reembolso for processado.',
        ),
      ],
      signOff: PT_BR_CUSTOMER_SIGN_OFF,
    }),
    [EmailKind.ORDER_REFUNDED]: (v) => {
      const amount = v.money(v.data.refundedCents);
      return {
        subject: `Reembolso do pedido ${v.ref}`,
        heading: 'Reembolso realizado',
        blocks: [
          paragraph(v.greeting),
          paragraph(
            amount
              ? `Reembolsamos ${amount} referente ao pedido ${v.ref}.`
              : `Fizemos o reembolso referente ao pedido ${v.ref}.`,
          ),
          facts(['Total do pedido', v.money(v.data.totalCents)], ['Motivo', v.data.reason]),
          paragraph(
            'Dependendo do seu banco, o valor pode levar de 5 a 10 dias úteis para aparecer na fatura.',
          ),
        ],
        signOff: PT_BR_CUSTOMER_SIGN_OFF,
      };
    },
    [EmailKind.ADMIN_ALERT]: (v) => {
      const alert = v.data.alert!;
      return {
        subject: `[Alerta Dispatch] ${alert.title}${v.ref ? ` (pedido ${v.ref})` : ''}`,
        heading: alert.title,
        blocks: [
          paragraph(alert.detail),
          facts(['Pedido', v.data.orderId], ['ID de correlação', alert.correlationId]),
        ],
        signOff: PT_BR_ADMIN_SIGN_OFF,
      };
    },
    [EmailKind.EXPORT_READY]: (v) => ({
      subject: `Exportação ${shortId(v.data.exportId!)} pronta`,
      heading: 'Sua exportação está pronta',
      blocks: [
        paragraph('A exportação que você solicitou foi concluída e já pode ser baixada.'),
        facts(
          ['Exportação', v.data.exportId],
          ['Linhas', v.count(v.data.rowCount)],
          ['Download', v.data.downloadPath],
        ),
      ],
      signOff: PT_BR_ADMIN_SIGN_OFF,
    }),
  },
};

const LOCALES: Record<Language, Locale> = { en: EN, 'pt-BR': PT_BR };

/**
 * Renders one email in the recipient's language. Pure: no clock, no I/O. Throws when `data` lacks a field the
 * kind cannot do without (the order id for order emails, the alert for ADMIN_ALERT, the export id and download
 * path for EXPORT_READY); every other field is optional and its line is left out.
 */
export function renderEmail(kind: EmailKind, language: Language, data: EmailData): RenderedEmail {
  const missing = REQUIRED[kind].filter((field) => data[field] === undefined || data[field] === '');
  if (missing.length > 0) throw new Error(`renderEmail(${kind}) needs ${missing.join(', ')}`);

  const locale = LOCALES[language];
  const view: View = {
    data,
    ref: data.orderId ? `#${shortId(data.orderId)}` : '',
    greeting: locale.greeting(data.customerName?.trim() || undefined),
    money: (cents) => (cents === undefined ? undefined : formatMoney(cents, data.currency, locale)),
    count: (value) => (value === undefined ? undefined : groupDigits(String(value), locale.group)),
  };
  const draft = locale.drafts[kind](view);
  const blocks = draft.blocks.filter((block): block is Block => block !== undefined);
  // A header is one line; an alert title may come from an error message that spans several.
  const subject = draft.subject.replace(/\s+/g, ' ').trim();
  return {
    subject,
    text: renderText(draft.heading, blocks, draft.signOff),
    html: renderHtml(language, subject, draft.heading, blocks, draft.signOff),
  };
}

function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/**
 * Integer arithmetic only, so 123456789 cents can never print as 1234567.8899999. Every currency Dispatch sells
 * in has two decimals; a zero-decimal currency (JPY) would need its own exponent here.
 */
function formatMoney(cents: number, currency: string | undefined, locale: Locale): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Money must be integer cents, got ${cents}`);
  const absolute = Math.abs(cents);
  const minor = absolute % 100;
  const major = (absolute - minor) / 100;
  const amount = `${cents < 0 ? '-' : ''}${groupDigits(String(major), locale.group)}${locale.decimal}${String(minor).padStart(2, '0')}`;
  const code = currency?.trim().toUpperCase();
  return code ? `${code} ${amount}` : amount;
}

function groupDigits(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

function renderText(heading: string, blocks: Block[], signOff: string): string {
  const sections = blocks.map((block) =>
    block.type === 'paragraph'
      ? block.text
      : presentRows(block.rows)
          .map(([label, value]) => `${label}: ${value}`)
          .join('\n'),
  );
  return [heading, ...sections.filter((section) => section !== ''), signOff].join('\n\n') + '\n';
}

function renderHtml(
  language: Language,
  subject: string,
  heading: string,
  blocks: Block[],
  signOff: string,
): string {
  const body = blocks
    .map((block) => {
      if (block.type === 'paragraph') return `<p style="${P_STYLE}">${escapeMultiline(block.text)}</p>`;
      const rows = presentRows(block.rows);
      if (rows.length === 0) return '';
      const cells = rows
        .map(
          ([label, value]) =>
            `<tr><th align="left" style="${TH_STYLE}">${escapeHtml(label)}</th>` +
            `<td style="${TD_STYLE}">${escapeHtml(value)}</td></tr>`,
        )
        .join('');
      return `<table role="presentation" style="${TABLE_STYLE}">${cells}</table>`;
    })
    .filter((fragment) => fragment !== '')
    .join('\n');
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    `<body style="${BODY_STYLE}">`,
    `<div style="${CARD_STYLE}">`,
    `<h1 style="${H1_STYLE}">${escapeHtml(heading)}</h1>`,
    body,
    `<p style="${SIGN_OFF_STYLE}">${escapeHtml(signOff)}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function presentRows(rows: Fact[]): Array<[string, string]> {
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

// Inline styles: most mail clients drop <style> blocks.
const BODY_STYLE =
  'margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b';
const CARD_STYLE = 'max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px';
const H1_STYLE = 'margin:0 0 16px;font-size:20px';
const P_STYLE = 'margin:0 0 12px;font-size:15px;line-height:1.5';
const TABLE_STYLE = 'margin:0 0 12px;border-collapse:collapse;font-size:15px';
const TH_STYLE = 'padding:4px 16px 4px 0;font-weight:normal;color:#52525b';
const TD_STYLE = 'padding:4px 0;font-weight:bold';
const SIGN_OFF_STYLE = 'margin:16px 0 0;font-size:13px;color:#71717a';

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Covers text and double- or single-quoted attribute values, the only places values are interpolated. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]);
}

/** Alert details are often multi-line (a stack, a list of order ids); keep the lines in the HTML part too. */
function escapeMultiline(value: string): string {
  return escapeHtml(value).replace(/\r?\n/g, '<br>');
}
