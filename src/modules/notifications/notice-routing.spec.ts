import { OrderNotice } from '../orders/orders.events';
import { SystemNotice } from '../outbox/outbox-message';
import { EmailKind } from './email-kind';
import { emailFor, NOTICE_EMAILS } from './notice-routing';

describe('notice routing', () => {
  it('sends an email for every notice the producers write', () => {
    for (const event of [...Object.values(OrderNotice), ...Object.values(SystemNotice)])
      expect(emailFor(event)).toBeDefined();
  });

  it('uses every email kind, and one refund email for partial and full refunds', () => {
    expect(new Set(Object.values(NOTICE_EMAILS))).toEqual(new Set(Object.values(EmailKind)));
    expect(emailFor(OrderNotice.PartiallyRefunded)).toBe(emailFor(OrderNotice.Refunded));
  });

  it('knows nothing else', () => {
    expect(emailFor('order.exploded')).toBeUndefined();
    expect(emailFor('toString')).toBeUndefined();
  });
});
