import { OrderStatus } from './order-state';

export interface ShippingAddress {
  name: string;
  /** For the ERP's salutation (male → HERR, female → FRAU, other or absent → K_ANGABE). */
  salutation?: 'male' | 'female' | 'other';
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface OrderLine {
  lineNo: number;
  itemId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

/** An order as stored (orders + order_lines). Written only through OrdersRepository. */
export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  refundedCents: number;
  paymentIntentId: string | null;
  shippingAddress: ShippingAddress;
  carrier: string | null;
  trackingNumber: string | null;
  stockReleased: boolean;
  erpReference: string | null;
  paymentDueAt: Date;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lines: OrderLine[];
}

export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  refunded_cents: number;
  payment_intent_id: string | null;
  shipping_address: ShippingAddress;
  carrier: string | null;
  tracking_number: string | null;
  stock_released: boolean;
  erp_reference: string | null;
  payment_due_at: Date;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toOrder(row: OrderRow, lines: OrderLine[] = []): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    totalCents: row.total_cents,
    currency: row.currency.trim(),
    refundedCents: row.refunded_cents,
    paymentIntentId: row.payment_intent_id,
    shippingAddress: row.shipping_address,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    stockReleased: row.stock_released,
    erpReference: row.erp_reference ?? null,
    paymentDueAt: row.payment_due_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lines,
  };
}
