import { fillPlaceholders, localisedMessage } from './messages';

describe(localisedMessage.name, () => {
  it('fills the placeholders of the language asked for', () => {
    expect(
      localisedMessage('errors', 'ILLEGAL_ORDER_TRANSITION', 'en', 'x', { from: 'PAID', to: 'PENDING' }),
    ).toBe('An order cannot go from PAID to PENDING.');
    expect(localisedMessage('validation', 'isInt', 'pt-BR', 'x', { field: 'quantity' })).toContain(
      'quantity',
    );
    expect(localisedMessage('validation', 'isInt', 'pt-BR', 'x', { field: 'quantity' })).not.toBe(
      localisedMessage('validation', 'isInt', 'en', 'x', { field: 'quantity' }),
    );
  });

  it('answers the fallback for a key no catalogue has', () => {
    expect(localisedMessage('errors', 'NO_SUCH_CODE', 'pt-BR', 'the fallback')).toBe('the fallback');
  });
});

describe(fillPlaceholders.name, () => {
  it('leaves a placeholder without an argument as it is', () => {
    expect(fillPlaceholders('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
