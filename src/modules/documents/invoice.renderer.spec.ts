import { execFile } from 'node:child_process';

import { InvoiceDocument, InvoiceLine, renderInvoicePdf } from './invoice.renderer';
import { formatMoney } from '../../infra/i18n/money-format';

interface ExtractedPdf {
  pages: number;
  title: string;
  text: string;
}

/*
 * pdf-parse (pdf.js underneath) starts its parser with a dynamic import() of an .mjs worker, which Jest's
 * CommonJS module loader refuses without --experimental-vm-modules. Plain Node has no such limit, so the
 * PDF is parsed in a short-lived child process (~150 ms): a real, independent parser checks the bytes, not
 * a re-implementation of pdfkit's own encoding inside the test.
 */
const EXTRACT = `
const { PDFParse } = require(process.argv[1]);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: Buffer.concat(chunks), verbosity: 0 });
  try {
    const info = await parser.getInfo();
    const text = await parser.getText();
    process.stdout.write(JSON.stringify({ pages: text.total, title: info.info?.Title ?? '', text: text.text }));
  } finally {
    await parser.destroy();
  }
});
`;

function extractPdf(pdf: Buffer): Promise<ExtractedPdf> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['-e', EXTRACT, require.resolve('pdf-parse')],
      { maxBuffer: 16 * 1024 * 1024, timeout: 10_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`pdf-parse failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ExtractedPdf);
      },
    );
    child.stdin?.end(pdf);
  });
}

/** pdf.js splits text runs at layout boundaries; compare on single-spaced text so a wrapped cell still matches. */
function normalise(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function line(index: number, overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  return {
    sku: `SKU-${String(index).padStart(4, '0')}`,
    description: `Widget number ${index}`,
    quantity: (index % 5) + 1,
    unitPriceCents: 1000 + index,
    totalCents: ((index % 5) + 1) * (1000 + index),
    ...overrides,
  };
}

function invoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  const lines = [
    line(1, { description: 'Dispatch T-shirt (M)', quantity: 2, unitPriceCents: 1999, totalCents: 3998 }),
    line(2, { description: 'Dispatch mug', quantity: 1, unitPriceCents: 1250, totalCents: 1250 }),
  ];
  return {
    number: 'INV-2026-000042',
    issuedAt: new Date('2026-03-31T23:30:00.000Z'),
    orderId: '0b6b8f4e-6f1e-4c47-9f57-3d2f5c1f7a10',
    seller: {
      name: 'Dispatch GmbH',
      addressLines: ['Hauptstraße 1', '10115 Berlin', 'Germany'],
      vatId: 'DE123456789',
    },
    buyer: {
      name: 'João Müller',
      email: 'joao@example.com',
      addressLines: ['Rua Augusta 500', 'São Paulo - SP', 'Brazil'],
    },
    currency: 'EUR',
    lines,
    subtotalCents: 5248,
    refundedCents: 1250,
    totalCents: 3998,
    ...overrides,
  };
}

describe('renderInvoicePdf', () => {
  it('renders a single-page invoice with its parties, lines and totals', async () => {
    const pdf = await renderInvoicePdf(invoice());

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { pages, title, text } = await extractPdf(pdf);
    const content = normalise(text);

    expect(pages).toBe(1);
    expect(title).toBe('INV-2026-000042');
    expect(content).toContain('Invoice');
    expect(content).toContain('INV-2026-000042');
    expect(content).toContain('2026-03-31'); // UTC date, whatever the machine's time zone
    expect(content).toContain('0b6b8f4e-6f1e-4c47-9f57-3d2f5c1f7a10');
    expect(content).toContain('Dispatch GmbH');
    expect(content).toContain('Hauptstraße 1');
    expect(content).toContain('VAT ID: DE123456789');
    expect(content).toContain('João Müller');
    expect(content).toContain('joao@example.com');
    expect(content).toContain('São Paulo - SP');
    expect(content).toContain('Dispatch T-shirt (M)');
    expect(content).toContain('Dispatch mug');
    expect(content).toContain('EUR 19.99');
    expect(content).toContain('EUR 39.98');
    expect(content).toContain('EUR 52.48'); // subtotal
    expect(content).toContain('-EUR 12.50'); // refund
    expect(content).toContain(formatMoney(3998, 'EUR')); // total
    expect(content).toContain('Page 1 of 1');
  });

  it('omits the refund row and the VAT ID when there are none', async () => {
    const { seller } = invoice();
    const pdf = await renderInvoicePdf(
      invoice({ refundedCents: undefined, seller: { name: seller.name, addressLines: seller.addressLines } }),
    );
    const content = normalise((await extractPdf(pdf)).text);

    expect(content).not.toContain('Refunded');
    expect(content).not.toContain('VAT ID');
  });

  it('paginates 120 lines, repeats the table header and keeps every line', async () => {
    const lines = Array.from({ length: 120 }, (_, index) => line(index + 1));
    const subtotal = lines.reduce((sum, l) => sum + l.totalCents, 0);
    const pdf = await renderInvoicePdf(
      invoice({ lines, subtotalCents: subtotal, refundedCents: 0, totalCents: subtotal }),
    );

    const { pages, text } = await extractPdf(pdf);
    const content = normalise(text);

    expect(pages).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(content).toContain(l.description);
    expect(content.match(/Unit price/g)).toHaveLength(pages);
    expect(content).toContain(`Page ${pages} of ${pages}`);
    expect(content).toContain(formatMoney(subtotal, 'EUR'));
  });

  it('keeps a long description inside its row', async () => {
    const description = 'A very long product description that wraps over several lines of the table. '.repeat(
      4,
    );
    const pdf = await renderInvoicePdf(invoice({ lines: [line(1, { description })] }));

    const { pages, text } = await extractPdf(pdf);
    expect(pages).toBe(1);
    expect(normalise(text)).toContain('A very long product description that wraps over several lines');
  });

  it('degrades characters Helvetica cannot draw instead of corrupting the text', async () => {
    const pdf = await renderInvoicePdf(
      invoice({ buyer: { name: 'Łukasz Gőbel 李', email: 'l@example.com', addressLines: ['Line\nbreak'] } }),
    );

    const content = normalise((await extractPdf(pdf)).text);
    expect(content).toContain('?ukasz Gobel ?');
    expect(content).toContain('Line break');
  });

  it('rejects amounts that are not whole cents', async () => {
    await expect(renderInvoicePdf(invoice({ totalCents: 39.98 }))).rejects.toThrow(RangeError);
  });
});
