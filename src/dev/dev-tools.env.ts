/**
 * Environment of the standalone fake servers (`npm run fake:*`, development tools, not the app): the one file
 * of src/dev that reads process.env, as src/config is for the app.
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
