import {
  ErpOrderInput,
  ErpOrderPayload,
  ErpSalutation,
  MAX_ERP_CENTS,
  eurToCents,
  sumCents,
  toErpOrder,
} from './erp-order.transform';

function order(overrides: Partial<ErpOrderInput> = {}): ErpOrderInput {
  return {
    orderId: '7f0c2f8e-4a4b-4c59-9d6a-0d6f3c1e2a10',
    createdAt: new Date('2026-03-01T10:00:00.000Z'),
    customer: { name: 'Erika Mustermann', email: 'erika@example.com', salutation: 'female' },
    shippingAddress: {
      name: 'Erika Mustermann',
      line1: 'Heidestraße 17',
      line2: '3. OG',
      city: 'Köln',
      postalCode: '51147',
      country: 'DE',
    },
    currency: 'EUR',
    lines: [{ sku: 'SKU-1', name: 'Kaffeebecher', quantity: 2, unitPrice: '19.995' }],
    ...overrides,
  };
}

describe(eurToCents.name, () => {
  it.each<[string | number, number]>([
    ['19.995', 2000],
    [19.995, 2000],
    ['19.994', 1999],
    ['19.9949999', 1999],
    ['0.1', 10],
    [0.1, 10],
    ['0.005', 1],
    ['0.004', 0],
    ['0', 0],
    [0, 0],
    [-0, 0],
    ['12', 1200],
    ['007.50', 750],
    [1.005, 101],
    [2.675, 268],
    ['21474836.47', MAX_ERP_CENTS],
    ['21474836.469', MAX_ERP_CENTS],
  ])('%p → %i cents', (value, cents) => {
    expect(eurToCents(value)).toBe(cents);
  });

  it.each<[string | number]>([
    ['-1'],
    [-0.01],
    ['1e2'],
    [1e-7],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [''],
    [' 1.00'],
    ['1,50'],
    ['.5'],
    ['5.'],
    ['+5'],
    ['0x10'],
    ['abc'],
    ['21474836.475'],
    ['21474836.48'],
    ['99999999999999999999999'],
  ])('rejects %p with a RangeError', (value) => {
    expect(() => eurToCents(value)).toThrow(RangeError);
  });
});

describe(sumCents.name, () => {
  it('adds 0.1 + 0.2 exactly', () => {
    expect(sumCents(['0.1', '0.2'])).toBe(30);
    expect(sumCents([0.1, 0.2])).toBe(30);
  });

  it('rounds each value before adding', () => {
    expect(sumCents(['0.005', '0.005'])).toBe(2);
  });

  it('is 0 for no values', () => {
    expect(sumCents([])).toBe(0);
  });

  it('rejects a sum above the ERP limit', () => {
    expect(() => sumCents(['21474836.47', '0.01'])).toThrow(RangeError);
  });
});

describe(toErpOrder.name, () => {
  it('maps a whole order (golden)', () => {
    const sut = toErpOrder(order());

    expect(sut).toEqual<ErpOrderPayload>({
      externalOrderId: '7f0c2f8e-4a4b-4c59-9d6a-0d6f3c1e2a10',
      orderDate: '2026-03-01T10:00:00.000Z',
      currency: 'EUR',
      customer: { salutation: 'FRAU', name: 'Erika Mustermann', email: 'erika@example.com' },
      deliveryAddress: {
        name: 'Erika Mustermann',
        street: 'Heidestraße 17',
        additionalLine: '3. OG',
        city: 'Köln',
        zip: '51147',
        countryCode: 'DE',
      },
      positions: [
        {
          positionNo: 10000,
          articleNo: 'SKU-1',
          description: 'Kaffeebecher',
          quantity: 2,
          unitPriceCents: 2000,
          lineTotalCents: 4000,
        },
      ],
      totalCents: 4000,
    });
  });

  it('totals 0.1 + 0.2 as 30 cents', () => {
    const sut = toErpOrder(
      order({
        lines: [
          { sku: 'A', name: 'a', quantity: 1, unitPrice: 0.1 },
          { sku: 'B', name: 'b', quantity: 1, unitPrice: '0.2' },
        ],
      }),
    );

    expect(sut.positions.map((position) => position.lineTotalCents)).toEqual([10, 20]);
    expect(sut.totalCents).toBe(30);
  });

  it('multiplies quantity by the rounded unit price exactly', () => {
    const sut = toErpOrder(
      order({
        lines: [
          { sku: 'A', name: 'a', quantity: 3, unitPrice: 0.1 },
          { sku: 'B', name: 'b', quantity: 7, unitPrice: '1.115' },
          { sku: 'C', name: 'c', quantity: 1000, unitPrice: '0.333' },
        ],
      }),
    );

    expect(sut.positions.map((position) => [position.unitPriceCents, position.lineTotalCents])).toEqual([
      [10, 30],
      [112, 784],
      [33, 33000],
    ]);
    expect(sut.totalCents).toBe(33814);
  });

  it('numbers 25 positions 10000 … 250000 in line order', () => {
    const lines = Array.from({ length: 25 }, (_, i) => ({
      sku: `SKU-${i + 1}`,
      name: `Item ${i + 1}`,
      quantity: 1,
      unitPrice: '1.01',
    }));

    const sut = toErpOrder(order({ lines }));

    expect(sut.positions).toHaveLength(25);
    expect(sut.positions.map((position) => position.positionNo)).toEqual(
      Array.from({ length: 25 }, (_, i) => (i + 1) * 10000),
    );
    expect(sut.positions[24]).toMatchObject({ positionNo: 250000, articleNo: 'SKU-25' });
    expect(sut.totalCents).toBe(2525);
  });

  it.each<[string | null | undefined, `${ErpSalutation}`]>([
    ['male', 'HERR'],
    ['MALE', 'HERR'],
    [' Female ', 'FRAU'],
    ['other', 'K_ANGABE'],
    ['Other', 'K_ANGABE'],
    ['divers', 'K_ANGABE'],
    ['mr', 'K_ANGABE'],
    ['constructor', 'K_ANGABE'],
    ['', 'K_ANGABE'],
    [null, 'K_ANGABE'],
    [undefined, 'K_ANGABE'],
  ])('maps salutation %p to %s', (salutation, expected) => {
    const input = order();

    const sut = toErpOrder({ ...input, customer: { ...input.customer, salutation } });

    expect(sut.customer.salutation).toBe(expected);
  });

  it('prints a Date built from a non-UTC time in UTC', () => {
    // 1 March 2026 11:30:15.250 in Berlin (CET, UTC+1) is 10:30:15.250 UTC.
    const sut = toErpOrder(order({ createdAt: new Date('2026-03-01T11:30:15.250+01:00') }));

    expect(sut.orderDate).toBe('2026-03-01T10:30:15.250Z');
  });

  it('prints a Date built from local components in UTC, whatever the process time zone', () => {
    const local = new Date(2026, 6, 15, 23, 59, 59, 999);

    const sut = toErpOrder(order({ createdAt: local }));

    expect(sut.orderDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Date(sut.orderDate).getTime()).toBe(local.getTime());
  });

  it('leaves out an absent or empty second address line', () => {
    const input = order();
    const { line2: _omitted, ...withoutLine2 } = input.shippingAddress;

    expect(toErpOrder({ ...input, shippingAddress: withoutLine2 }).deliveryAddress).not.toHaveProperty(
      'additionalLine',
    );
    expect(
      toErpOrder({ ...input, shippingAddress: { ...input.shippingAddress, line2: '' } }).deliveryAddress,
    ).not.toHaveProperty('additionalLine');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects quantity %p', (quantity) => {
    expect(() =>
      toErpOrder(order({ lines: [{ sku: 'A', name: 'a', quantity, unitPrice: '1.00' }] })),
    ).toThrow(RangeError);
  });

  it('rejects an order without lines', () => {
    expect(() => toErpOrder(order({ lines: [] }))).toThrow(RangeError);
  });

  it('rejects an invalid unit price', () => {
    expect(() =>
      toErpOrder(order({ lines: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: '-1.00' }] })),
    ).toThrow(RangeError);
  });

  it('rejects a total above the ERP limit even when every line fits', () => {
    const lines = [
      { sku: 'A', name: 'a', quantity: 1, unitPrice: '20000000.00' },
      { sku: 'B', name: 'b', quantity: 1, unitPrice: '2000000.00' },
    ];

    expect(() => toErpOrder(order({ lines }))).toThrow(RangeError);
  });

  it('rejects a line total above the ERP limit', () => {
    expect(() =>
      toErpOrder(order({ lines: [{ sku: 'A', name: 'a', quantity: 3, unitPrice: '10000000.00' }] })),
    ).toThrow(RangeError);
  });
});
