import { FormBodyError, parseFormBody } from './parse-form-body';

describe(parseFormBody.name, () => {
  it('reads flat pairs, decoding percent escapes and plus signs', () => {
    expect(parseFormBody('amount=2500&currency=eur&description=two+shirts%20%26%20a+hat')).toEqual({
      amount: '2500',
      currency: 'eur',
      description: 'two shirts & a hat',
    });
  });

  it('nests bracketed keys into hashes, encoded or not', () => {
    expect(
      parseFormBody(
        'metadata[orderId]=o-1&metadata%5BcorrelationId%5D=c-9&automatic_payment_methods[enabled]=true',
      ),
    ).toEqual({
      metadata: { orderId: 'o-1', correlationId: 'c-9' },
      automatic_payment_methods: { enabled: 'true' },
    });
  });

  it('appends `[]` values to an array', () => {
    expect(parseFormBody('expand[]=latest_charge&expand[]=customer')).toEqual({
      expand: ['latest_charge', 'customer'],
    });
  });

  it('keeps indexed keys as a hash, because only the endpoint knows whether metadata[0] is a list slot', () => {
    expect(parseFormBody('expand[0]=latest_charge&expand[1]=customer&metadata[0]=zero')).toEqual({
      expand: { '0': 'latest_charge', '1': 'customer' },
      metadata: { '0': 'zero' },
    });
  });

  it('builds arrays of hashes and deeper nesting', () => {
    expect(parseFormBody('a[][b]=1&a[][b]=2&x[y][z]=deep')).toEqual({
      a: [{ b: '1' }, { b: '2' }],
      x: { y: { z: 'deep' } },
    });
  });

  it('treats a key without "=" as an empty value and skips empty pairs', () => {
    expect(parseFormBody('metadata=&&confirm')).toEqual({ metadata: '', confirm: '' });
    expect(parseFormBody('')).toEqual({});
  });

  it('keeps the last of repeated scalar keys', () => {
    expect(parseFormBody('currency=usd&currency=eur')).toEqual({ currency: 'eur' });
  });

  it.each([
    ['a scalar then a hash under one key', 'metadata=x&metadata[k]=v', 'metadata[k]'],
    ['a hash then a scalar under one key', 'metadata[k]=v&metadata=x', 'metadata'],
    ['a list then a hash under one key', 'expand[]=a&expand[k]=b', 'expand[k]'],
    ['an unbalanced bracket', 'metadata[orderId=1', 'metadata[orderId'],
    ['a key starting with a bracket', '[x]=1', '[x]'],
    ['prototype pollution', '__proto__[polluted]=yes', '__proto__[polluted]'],
    ['bad percent encoding', 'description=%E0%A4%A', 'description'],
  ])('rejects %s', (_, body, param) => {
    expect(() => parseFormBody(body)).toThrow(FormBodyError);
    try {
      parseFormBody(body);
    } catch (error) {
      expect((error as FormBodyError).param).toBe(param);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits nesting depth', () => {
    expect(() => parseFormBody(`a${'[b]'.repeat(10)}=1`)).toThrow('nested too deeply');
  });
});
