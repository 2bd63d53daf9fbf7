import PDFDocument from 'pdfkit';

import { formatMoney } from '../../infra/i18n/money-format';

export interface InvoiceLine {
  sku: string;
  description: string;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
}

export interface InvoiceDocument {
  /** e.g. INV-2026-000042 */
  number: string;
  issuedAt: Date;
  orderId: string;
  seller: { name: string; addressLines: readonly string[]; vatId?: string };
  buyer: { name: string; email: string; addressLines: readonly string[] };
  /** ISO 4217 */
  currency: string;
  lines: readonly InvoiceLine[];
  subtotalCents: number;
  refundedCents?: number;
  totalCents: number;
}

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
// Room kept free at the bottom of every page for the "Page x of y" footer.
const FOOTER_SPACE = 24;
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const BODY_SIZE = 9;
const CELL_PADDING = 4;
// Caps a pathological description so that one row can never be taller than a page.
const MAX_DESCRIPTION_LINES = 4;
const MUTED = '#555555';

interface Column {
  header: string;
  width: number; // 0 = takes the remaining width
  align: 'left' | 'right';
}

const COLUMNS: Column[] = [
  { header: 'Qty', width: 36, align: 'right' },
  { header: 'SKU', width: 86, align: 'left' },
  { header: 'Description', width: 0, align: 'left' },
  { header: 'Unit price', width: 88, align: 'right' },
  { header: 'Line total', width: 92, align: 'right' },
];

/*
 * The built-in Helvetica is a PDF "standard 14" font: nothing is embedded, so invoices stay a few KB, but it
 * only has glyphs for Windows-1252 (WinAnsi). That covers Latin-1 names such as "São Paulo" and "Müller";
 * pdfkit writes any other code point as a malformed glyph code, so text is reduced to WinAnsi first: accents
 * that Latin-1 lacks are dropped ("ő" → "o") and the rest becomes "?". Names in other scripts need an
 * embedded Unicode TTF (doc.registerFont), which is the upgrade path if we sell outside Latin-script markets.
 */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const COMBINING_MARKS = /[\u0300-\u036f]/g;

function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}

function toWinAnsi(value: string): string {
  let out = '';
  for (const char of value) {
    if (isWinAnsi(char)) {
      out += char;
    } else if (/\s/.test(char)) {
      out += ' '; // line breaks inside a field would break the row height maths
    } else {
      const base = char.normalize('NFD').replace(COMBINING_MARKS, '');
      out += base.length > 0 && [...base].every(isWinAnsi) ? base : '?';
    }
  }
  return out;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10); // toISOString is always UTC, so the date cannot shift with the server TZ
}

class InvoiceLayout {
  private readonly left: number;
  private readonly contentWidth: number;
  private readonly columns: (Column & { x: number })[];

  constructor(
    private readonly doc: Doc,
    private readonly invoice: InvoiceDocument,
  ) {
    this.left = doc.page.margins.left;
    this.contentWidth = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const fixed = COLUMNS.reduce((sum, column) => sum + column.width, 0);
    let x = this.left;
    this.columns = COLUMNS.map((column) => {
      const width = column.width || this.contentWidth - fixed;
      const placed = { ...column, width, x };
      x += width;
      return placed;
    });
  }

  render(): void {
    this.header();
    this.parties();
    this.table();
    this.totals();
    this.footers();
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom - FOOTER_SPACE;
  }

  private money(cents: number): string {
    return formatMoney(cents, this.invoice.currency);
  }

  private header(): void {
    const { doc, invoice } = this;
    doc.font(BOLD).fontSize(22).fillColor('black').text('Invoice', this.left, doc.page.margins.top);
    doc.moveDown(0.4).fontSize(BODY_SIZE);
    const facts: [string, string][] = [
      ['Invoice number', invoice.number],
      ['Issue date', isoDate(invoice.issuedAt)],
      ['Order', invoice.orderId],
    ];
    for (const [label, value] of facts) {
      const y = doc.y;
      doc.font(BOLD).text(`${label}:`, this.left, y, { width: 90 });
      doc.font(REGULAR).text(toWinAnsi(value), this.left + 90, y, { width: this.contentWidth - 90 });
    }
    doc.moveDown(1.5);
  }

  private parties(): void {
    const { doc, invoice } = this;
    const top = doc.y;
    const width = (this.contentWidth - 20) / 2;
    const seller = [...invoice.seller.addressLines];
    if (invoice.seller.vatId) seller.push(`VAT ID: ${invoice.seller.vatId}`);
    const sellerBottom = this.party('From', invoice.seller.name, seller, this.left, top, width);
    const buyer = [invoice.buyer.email, ...invoice.buyer.addressLines];
    const buyerBottom = this.party('Bill to', invoice.buyer.name, buyer, this.left + width + 20, top, width);
    doc.y = Math.max(sellerBottom, buyerBottom);
    doc.moveDown(2);
  }

  /** Draws one address block and returns where it ends, so the taller of the two sets the next y. */
  private party(title: string, name: string, lines: string[], x: number, y: number, width: number): number {
    const { doc } = this;
    doc.font(BOLD).fontSize(BODY_SIZE).fillColor(MUTED).text(title.toUpperCase(), x, y, { width });
    doc
      .fillColor('black')
      .fontSize(BODY_SIZE + 1)
      .text(toWinAnsi(name), { width });
    doc.font(REGULAR).fontSize(BODY_SIZE);
    for (const line of lines) doc.text(toWinAnsi(line), { width });
    return doc.y;
  }

  private table(): void {
    this.tableHeader();
    for (const line of this.invoice.lines) {
      const cells = [
        String(line.quantity),
        toWinAnsi(line.sku),
        toWinAnsi(line.description),
        this.money(line.unitPriceCents),
        this.money(line.totalCents),
      ];
      this.doc.font(REGULAR).fontSize(BODY_SIZE);
      const height = this.rowHeight(cells);
      if (this.doc.y + height > this.bottom) {
        this.doc.addPage();
        this.tableHeader(); // repeated so every page of lines can be read on its own
      }
      this.row(cells, height);
    }
    this.rule(this.doc.y);
  }

  private tableHeader(): void {
    const { doc } = this;
    doc.font(BOLD).fontSize(BODY_SIZE).fillColor('black');
    const headers = this.columns.map((column) => column.header);
    const height = this.rowHeight(headers);
    this.row(headers, height);
    this.rule(doc.y);
    doc.font(REGULAR);
  }

  private rowHeight(cells: string[]): number {
    const heights = cells.map((cell, index) =>
      this.doc.heightOfString(cell, { width: this.columns[index].width - 2 * CELL_PADDING }),
    );
    const maxDescription = MAX_DESCRIPTION_LINES * this.doc.currentLineHeight(true);
    heights[2] = Math.min(heights[2], maxDescription);
    return Math.max(...heights) + 2 * CELL_PADDING;
  }

  private row(cells: string[], height: number): void {
    const { doc } = this;
    const top = doc.y;
    cells.forEach((cell, index) => {
      const column = this.columns[index];
      doc.text(cell, column.x + CELL_PADDING, top + CELL_PADDING, {
        width: column.width - 2 * CELL_PADDING,
        height: height - 2 * CELL_PADDING,
        align: column.align,
        ellipsis: true,
      });
    });
    doc.x = this.left;
    doc.y = top + height;
  }

  private rule(y: number): void {
    const right = this.left + this.contentWidth;
    this.doc
      .save()
      .moveTo(this.left, y)
      .lineTo(right, y)
      .lineWidth(0.5)
      .strokeColor('black')
      .stroke()
      .restore();
  }

  private totals(): void {
    const { doc, invoice } = this;
    const rows: [string, number][] = [['Subtotal', invoice.subtotalCents]];
    if (invoice.refundedCents) rows.push(['Refunded', -invoice.refundedCents]);
    rows.push(['Total', invoice.totalCents]);

    doc.fontSize(BODY_SIZE + 1);
    const lineHeight = doc.currentLineHeight(true) + 4;
    // Keep the totals together with at least the end of the table rather than alone at the top of a page.
    if (doc.y + CELL_PADDING * 2 + rows.length * lineHeight > this.bottom) doc.addPage();

    const labelWidth = 100;
    const valueWidth = this.columns[4].width + this.columns[3].width - labelWidth;
    const labelX = this.left + this.contentWidth - labelWidth - valueWidth;
    let y = doc.y + CELL_PADDING * 2;
    for (const [label, cents] of rows) {
      const isTotal = label === 'Total';
      doc.font(isTotal ? BOLD : REGULAR);
      doc.text(label, labelX, y, { width: labelWidth });
      doc.text(this.money(cents), labelX + labelWidth, y, {
        width: valueWidth - CELL_PADDING,
        align: 'right',
      });
      y += lineHeight;
    }
    doc.x = this.left;
    doc.y = y;
  }

  private footers(): void {
    const { doc, invoice } = this;
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index);
      // Writing below the bottom margin makes pdfkit start a new page; lifting the margin for the footer
      // lets it sit in the space reserved for it.
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font(REGULAR)
        .fontSize(8)
        .fillColor(MUTED)
        .text(
          `${toWinAnsi(invoice.number)} · Page ${index - range.start + 1} of ${range.count}`,
          this.left,
          doc.page.height - margin - FOOTER_SPACE / 2,
          { width: this.contentWidth, align: 'center', lineBreak: false },
        );
      doc.page.margins.bottom = margin;
    }
  }
}

/**
 * Renders an invoice as an A4 PDF. The output is not byte-for-byte deterministic (pdfkit stamps the creation
 * date and a random document ID), so callers should store the result rather than re-render to compare.
 */
export function renderInvoicePdf(invoice: InvoiceDocument): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      // Needed to write "Page x of y" once the page count is known.
      bufferPages: true,
      displayTitle: true,
      lang: 'en',
      info: {
        Title: invoice.number,
        Author: invoice.seller.name,
        Subject: `Invoice ${invoice.number} for order ${invoice.orderId}`,
      },
    });
    const chunks: Uint8Array[] = [];
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      new InvoiceLayout(doc, invoice).render();
      doc.end();
    } catch (error) {
      reject(error as Error);
    }
  });
}
