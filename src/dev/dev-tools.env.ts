/*
 * Environment of the development tools run on their own (not the app): the one file of src/dev that reads
 * process.env, as src/config is for the app.
 */

/** The standalone fake servers (`npm run fake:*`). */
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

/** `npm run demo:order`: where the api it drives listens (DISPATCH_URL, default http://localhost:3000). */
export function demoDispatchUrl(): string {
  return process.env.DISPATCH_URL ?? 'http://localhost:3000';
}
