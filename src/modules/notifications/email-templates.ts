import enCopy from '../../i18n/en/emails.json';
import ptBrCopy from '../../i18n/pt-BR/emails.json';
import { Language } from '../../infra/i18n/language';
import { centsToDecimal, DigitSeparators, formatMoney, groupDigits } from '../../infra/i18n/money-format';
import { EmailKind } from './email-kind';

/** Everything an email may show. Which fields a kind needs is listed in REQUIRED below. */
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

/** The email copy of one language: src/i18n/<language>/emails.json (subjects, headings, paragraphs, labels). */
interface Catalogue {
  separators: DigitSeparators;
  greeting: string;
  greetingNoName: string;
  signOff: Record<'customer' | 'admin', string>;
  kinds: Record<
    string,
    {
      subject: string;
      /** Used instead of `subject` when the email is about an order (ADMIN_ALERT). */
      subjectWithRef?: string;
      heading: string;
      signOff: 'customer' | 'admin';
      /** A paragraph (`p`, shown when its `if` value is set / its `unless` value is not) or label → value rows. */
      blocks: Array<
        { p: string; if?: string; unless?: string } | { facts: [label: string, value: string][] }
      >;
    }
  >;
}

const CATALOGUES: Record<Language, Catalogue> = { en: enCopy as Catalogue, 'pt-BR': ptBrCopy as Catalogue };

/** A row whose value is undefined is left out, so the copy can list optional facts without branching. */
type Fact = [label: string, value: string | undefined];
type Block = { type: 'paragraph'; text: string } | { type: 'facts'; rows: Fact[] };

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

/** Replaces `{name}` by the value (empty when unset). */
const fill = (text: string, values: Record<string, string | undefined>) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');

/**
 * Renders one email in the recipient's language from its catalogue. Pure: no clock, no I/O. Throws when
 * `data` lacks a field the kind cannot do without (the order id for order emails, the alert for ADMIN_ALERT,
 * the export id and download path for EXPORT_READY); every other field is optional and its line is left out.
 */
export function renderEmail(kind: EmailKind, language: Language, data: EmailData): RenderedEmail {
  const missing = REQUIRED[kind].filter((field) => data[field] === undefined || data[field] === '');
  if (missing.length > 0) throw new Error(`renderEmail(${kind}) needs ${missing.join(', ')}`);

  const catalogue = CATALOGUES[language];
  const copy = catalogue.kinds[kind];
  const name = data.customerName?.trim() || undefined;
  const money = (cents: number | undefined) =>
    cents === undefined
      ? undefined
      : data.currency
        ? formatMoney(cents, data.currency, catalogue.separators)
        : centsToDecimal(cents);
  const ref = data.orderId ? `#${shortId(data.orderId)}` : undefined;
  const values: Record<string, string | undefined> = {
    greeting: name ? fill(catalogue.greeting, { name }) : catalogue.greetingNoName,
    ref,
    orderId: data.orderId,
    total: money(data.totalCents),
    refunded: money(data.refundedCents),
    carrier: data.carrier,
    trackingNumber: data.trackingNumber,
    reason: data.reason,
    alertTitle: data.alert?.title,
    alertDetail: data.alert?.detail,
    correlationId: data.alert?.correlationId,
    exportId: data.exportId,
    exportRef: data.exportId ? shortId(data.exportId) : undefined,
    rows:
      data.rowCount === undefined
        ? undefined
        : groupDigits(String(data.rowCount), catalogue.separators.group),
    downloadPath: data.downloadPath,
  };
  const blocks: Block[] = [];
  for (const block of copy.blocks) {
    if ('facts' in block) {
      blocks.push({ type: 'facts', rows: block.facts.map(([label, key]) => [label, values[key]]) });
    } else if ((!block.if || values[block.if]) && (!block.unless || !values[block.unless])) {
      blocks.push({ type: 'paragraph', text: fill(block.p, values) });
    }
  }
  const heading = fill(copy.heading, values);
  const signOff = catalogue.signOff[copy.signOff];
  // A header is one line; an alert title may come from an error message that spans several.
  const subject = fill(ref && copy.subjectWithRef ? copy.subjectWithRef : copy.subject, values)
    .replace(/\s+/g, ' ')
    .trim();
  return {
    subject,
    text: renderText(heading, blocks, signOff),
    html: renderHtml(language, subject, heading, blocks, signOff),
  };
}

function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
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
