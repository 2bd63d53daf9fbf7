import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { createOrdersCsvTransform, OrderCsvRow } from './orders-csv.transform';

const HEADER =
  'order_id,created_at,status,customer_email,total,refunded,currency,items,payment_intent_id\r\n';

function row(overrides: Partial<OrderCsvRow> = {}): OrderCsvRow {
  return {
    id: '0b6b8f4e-6f1e-4c47-9f57-3d2f5c1f7a10',
    createdAt: new Date('2026-03-04T05:06:07.089Z'),
    status: 'PAID',
    userEmail: 'ana@example.com',
    totalCents: 1250,
    refundedCents: 0,
    currency: 'EUR',
    itemCount: 2,
    paymentIntentId: 'pi_123',
    ...overrides,
  };
}

async function toCsv(rows: OrderCsvRow[]): Promise<string> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(rows), createOrdersCsvTransform(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks).toString('utf8');
}

/** The CSV of a single row, without the header. */
async function record(overrides: Partial<OrderCsvRow>): Promise<string> {
  const csv = await toCsv([row(overrides)]);
  return csv.slice(HEADER.length);
}

describe('createOrdersCsvTransform', () => {
  it('writes only the header for an empty export', async () => {
    expect(await toCsv([])).toBe(HEADER);
  });

  it('writes the header first, then one CRLF-terminated record per row', async () => {
    const csv = await toCsv([
      row(),
      row({ id: 'o2', totalCents: 100000, refundedCents: 2500, itemCount: 10, paymentIntentId: null }),
    ]);
    expect(csv).toBe(
      HEADER +
        '0b6b8f4e-6f1e-4c47-9f57-3d2f5c1f7a10,2026-03-04T05:06:07.089Z,PAID,ana@example.com,12.50,0.00,EUR,2,pi_123\r\n' +
        'o2,2026-03-04T05:06:07.089Z,PAID,ana@example.com,1000.00,25.00,EUR,10,\r\n',
    );
  });

  it('formats amounts from integer cents without floating point', async () => {
    expect(await record({ totalCents: 7, refundedCents: 123456789 })).toContain(',0.07,1234567.89,');
    expect(await record({ totalCents: 0, refundedCents: 10 })).toContain(',0.00,0.10,');
  });

  it('accepts integer strings as pg returns them for bigint columns', async () => {
    expect(await record({ totalCents: '1999', refundedCents: '0', itemCount: '3' })).toContain(
      ',19.99,0.00,EUR,3,',
    );
  });

  it('writes dates as ISO 8601 UTC, also when given as a pg timestamptz string', async () => {
    expect(await record({ createdAt: '2026-01-02 03:04:05.678+02' })).toContain(',2026-01-02T01:04:05.678Z,');
  });

  describe('RFC 4180 escaping', () => {
    it.each([
      ['a comma', 'Smith, Jane', '"Smith, Jane"'],
      ['a quote', 'say "hi"', '"say ""hi"""'],
      ['a line feed', 'two\nlines', '"two\nlines"'],
      ['a carriage return', 'two\rlines', '"two\rlines"'],
      ['CRLF', 'two\r\nlines', '"two\r\nlines"'],
      ['nothing special', 'plain text', 'plain text'],
    ])('quotes a field containing %s', async (_case, value, expected) => {
      expect(await record({ status: value })).toContain(`,${expected},`);
    });
  });

  describe('formula injection guard', () => {
    it.each([
      ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
      ['+1+1', "'+1+1"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tcmd', "'\tcmd"],
      ['\rcmd', `"'\rcmd"`],
    ])('neutralises %p', async (value, expected) => {
      expect(await record({ userEmail: value })).toContain(`,${expected},`);
    });

    it('guards every free-text column', async () => {
      const csv = await record({ id: '=1', status: '+2', currency: '-3', paymentIntentId: '@4' });
      expect(csv.split(',')).toEqual(expect.arrayContaining(["'=1", "'+2", "'-3", "'@4\r\n"]));
    });

    it('leaves a formula character inside a field alone', async () => {
      expect(await record({ userEmail: 'a=b@example.com' })).toContain(',a=b@example.com,');
    });

    it('does not prefix negative amounts, which must stay numeric', async () => {
      expect(await record({ totalCents: -500, refundedCents: -1 })).toContain(',-5.00,-0.01,');
    });
  });

  it.each([
    ['fractional cents', { totalCents: 12.5 }],
    ['a non-numeric amount', { refundedCents: '12.50' }],
    ['an invalid date', { createdAt: 'yesterday' }],
  ])('fails the stream on %s instead of writing a wrong value', async (_case, overrides) => {
    await expect(toCsv([row(overrides as Partial<OrderCsvRow>)])).rejects.toThrow(TypeError);
  });

  it('streams 100k rows with bounded memory and backpressure', async () => {
    const total = 100_000;
    let produced = 0;
    let consumed = 0;
    let maxInFlight = 0;
    let maxHeapGrowth = 0;
    let writes = 0;
    const baseline = process.memoryUsage().heapUsed;

    function* rows(): Generator<OrderCsvRow> {
      for (let i = 0; i < total; i++) {
        produced++;
        yield row({
          id: `order-${i}`,
          userEmail: `customer-${i}@example.com`,
          totalCents: i,
          itemCount: i % 7,
        });
      }
    }

    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) consumed++;
        if (++writes % 2_000 === 0) {
          maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - baseline);
        }
        maxInFlight = Math.max(maxInFlight, produced - consumed);
        callback();
      },
    });

    await pipeline(Readable.from(rows()), createOrdersCsvTransform(), sink);

    expect(consumed).toBe(total + 1); // + header
    // Rows are pulled from the generator only as the sink drains: a few buffers' worth, never the whole export.
    expect(maxInFlight).toBeLessThan(200);
    expect(maxHeapGrowth).toBeLessThan(30 * 1024 * 1024);
  });
});
