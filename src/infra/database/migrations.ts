import { Init1764000000000 } from './migrations/1764000000000-init';
import { Orders1764000100000 } from './migrations/1764000100000-orders';
import { SideEffects1764000200000 } from './migrations/1764000200000-side-effects';
import { OpsAudit1764000300000 } from './migrations/1764000300000-ops-audit';
import { PaymentLedger1764000400000 } from './migrations/1764000400000-payment-ledger';
import { OutboxClaims1764000500000 } from './migrations/1764000500000-outbox-claims';

/** Every migration, oldest first. Listed explicitly so the same list works from ts-jest and from dist/. */
export const MIGRATIONS = [
  Init1764000000000,
  Orders1764000100000,
  SideEffects1764000200000,
  OpsAudit1764000300000,
  PaymentLedger1764000400000,
  OutboxClaims1764000500000,
];
