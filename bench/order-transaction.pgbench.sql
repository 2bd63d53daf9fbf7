-- The raw ceiling for POST /v1/orders: the database work of one order, sent by pgbench with no app in between.
-- Same schema and seed as the app bench (run after migrations, on the bench database): reserve stock with a
-- guarded UPDATE, insert the order, its line and the outbox row that the relay publishes, commit.
-- Variables (-D): items = seeded item count, users = seeded user count.
\set n random(1, :items)
\set u random(0, :users - 1)
BEGIN;
UPDATE items SET stock = stock - 1, updated_at = now()
 WHERE sku = 'BENCH-' || :n AND deleted_at IS NULL AND stock >= 1
 RETURNING id AS item_id, sku, name, price_cents, currency \gset
INSERT INTO orders (user_id, status, total_cents, currency, shipping_address, payment_due_at)
SELECT id, 'PENDING', :price_cents, :currency,
       '{"name":"Bench","line1":"Street 1","city":"Berlin","postalCode":"10115","country":"DE"}'::jsonb,
       now() + interval '30 minutes'
  FROM users WHERE email = 'bench-' || :u || '@example.com'
 RETURNING id AS order_id \gset
INSERT INTO order_lines (order_id, line_no, item_id, sku, name, quantity, unit_price_cents)
VALUES (:order_id, 1, :item_id, :sku, :name, 1, :price_cents);
INSERT INTO outbox (type, aggregate_id, payload, correlation_id, dedupe_key, deliver_after)
VALUES ('ORDER_EXPIRE', :order_id, '{}'::jsonb, 'pgbench', 'pgbench:' || :order_id, now() + interval '30 minutes');
COMMIT;
