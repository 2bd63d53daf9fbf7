/**
 * Environment of the standalone fake servers (dev and chaos tools, not the app): read here so that
 * configuration stays the only place that touches process.env.
 */
export function fakeServerEnv(): Record<string, string | undefined> {
  const {
    FAKE_ERP_PORT,
    FAKE_ERP_USERNAME,
    FAKE_ERP_PASSWORD,
    FAKE_STRIPE_PORT,
    FAKE_STRIPE_WEBHOOK_URL,
    FAKE_STRIPE_WEBHOOK_SECRET,
    FAKE_SMTP_PORT,
    FAKE_SERVERS_PUBLISH,
  } = process.env;
  return {
    FAKE_ERP_PORT,
    FAKE_ERP_USERNAME,
    FAKE_ERP_PASSWORD,
    FAKE_STRIPE_PORT,
    FAKE_STRIPE_WEBHOOK_URL,
    FAKE_STRIPE_WEBHOOK_SECRET,
    FAKE_SMTP_PORT,
    FAKE_SERVERS_PUBLISH,
  };
}
