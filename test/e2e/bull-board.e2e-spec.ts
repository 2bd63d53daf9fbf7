import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { sign } from '@fastify/cookie';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';

import { NotificationJobPayload } from '../../src/infra/queue/job-payloads';
import { QueueName } from '../../src/infra/queue/queue-names';
import { BULL_BOARD_COOKIE } from '../../src/modules/ops/bull-board/bull-board-cookie';
import { SystemNotice } from '../../src/modules/outbox/outbox-message';
import { bearer, createUser, TestUser } from '../factories/user.factory';
import { startTestApp, TestApp } from '../setup/test-app';
import { waitFor } from '../setup/wait-for';

const SCREENSHOT = path.resolve(__dirname, '../../test-output/bull-board.png');
const QUEUES = Object.values(QueueName);

describe('Bull Board at /bull-board (whole app in-process, real Chromium)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let admin: TestUser;
  let customer: TestUser;
  let notifications: Queue;

  beforeAll(async () => {
    t = await startTestApp();
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    admin = await createUser(t, { role: 'admin' });
    customer = await createUser(t);
    notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A signed-cookie header as the login sets it, for requests made outside the browser. */
  const cookieWith = (token: string) => `${BULL_BOARD_COOKIE}=${sign(token, t.config.auth.jwtSecret)}`;

  async function signInThroughForm(page: Page, user: TestUser): Promise<void> {
    await page.goto(`${base}/bull-board/login`);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('button[type="submit"]');
  }

  /** Bull Board's job actions are icon buttons named only by a tooltip: hover each to find one. */
  async function jobAction(page: Page, tooltip: string): Promise<Locator> {
    const buttons = page.locator('ul[class*="jobActions"] button');
    await buttons.first().waitFor();
    for (let i = 0; i < (await buttons.count()); i++) {
      await buttons.nth(i).hover();
      const tip = page.locator('[data-base-ui-portal] [data-open]').getByText(tooltip, { exact: true });
      const shown = await tip
        .waitFor({ timeout: 2_000 })
        .then(() => true)
        .catch(() => false);
      if (shown) return buttons.nth(i);
    }
    throw new Error(`no job action with the tooltip "${tooltip}"`);
  }

  /**
   * A notifications job that fails for good: an EXPORT_READY email for a requester who does not exist is a
   * permanent error (UserNotFoundError → UnrecoverableError), so the worker moves it to failed at once.
   */
  async function failedNotificationJob(): Promise<Job> {
    const exportId = randomUUID();
    const payload: NotificationJobPayload = {
      orderId: exportId,
      outboxId: '0',
      event: SystemNotice.ExportReady,
      dedupeKey: `${SystemNotice.ExportReady}:${exportId}`,
      exportId,
      rowCount: 0,
      requestedBy: randomUUID(),
    };
    const job = await notifications.add(SystemNotice.ExportReady, payload);
    await waitFor(async () => (await job.getState()) === 'failed', { what: 'the job to fail' });
    const failed = await notifications.getJob(job.id!);
    expect(failed?.failedReason).toMatch(/UserNotFoundError/);
    return job;
  }

  it('lets an admin in through the login form, shows every queue and retries a failed job', async () => {
    const job = await failedNotificationJob();
    // Keep the retried job waiting (instead of failing again at once), so its state after Retry is stable.
    await notifications.pause();

    const context: BrowserContext = await browser.newContext();
    try {
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('Content Security Policy'))
          cspViolations.push(message.text());
      });

      // An anonymous visit lands on the login form.
      await page.goto(`${base}/bull-board`);
      expect(new URL(page.url()).pathname).toBe('/bull-board/login');

      await signInThroughForm(page, admin);
      await page.waitForURL(`${base}/bull-board`);
      const cookies = await context.cookies();
      expect(cookies).toEqual([
        expect.objectContaining({
          name: BULL_BOARD_COOKIE,
          path: '/bull-board',
          httpOnly: true,
          sameSite: 'Strict',
        }),
      ]);

      for (const queue of QUEUES)
        await page.locator(`a[href$="/queue/${queue}"]`).first().waitFor({ state: 'visible' });

      // The failed job, through the notifications queue's failed list.
      await page.locator(`a[href$="/queue/${QueueName.Notifications}"]`).first().click();
      await page.locator(`a[href$="/queue/${QueueName.Notifications}?status=failed"]`).click();
      await page.locator(`a[href$="/queue/${QueueName.Notifications}/${job.id}?status=failed"]`).click();
      await page.waitForURL(
        (url) => url.pathname === `/bull-board/queue/${QueueName.Notifications}/${job.id}`,
      );
      await page.getByText('UserNotFoundError: User not found').first().waitFor();

      await (await jobAction(page, 'Retry')).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();

      const state = await waitFor(
        async () => {
          const s = await notifications.getJobState(job.id!);
          return s !== 'failed' ? s : undefined;
        },
        { what: 'the job to leave the failed state' },
      );
      expect(['waiting', 'paused', 'prioritized']).toContain(state);

      await page.getByRole('alertdialog').waitFor({ state: 'detached' });
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // Only the Google Fonts stylesheet the UI links to is refused; everything Bull Board serves itself runs.
      expect(cspViolations.filter((v) => !v.includes('fonts.googleapis.com'))).toEqual([]);
    } finally {
      await context.close();
      await notifications.resume();
    }
  });

  it('refuses a customer at the login form and answers an anonymous API call with 401', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughForm(page, customer);
      await page.getByText('Only admins may open Bull Board.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/bull-board/login');
      expect(await context.cookies()).toEqual([]);
      // Refused before a session is opened: only the one createUser's API login made.
      const sessions = await t.db.query(`SELECT id FROM auth_sessions WHERE user_id = $1`, [customer.id]);
      expect(sessions).toHaveLength(1);

      const anonymous = await fetch(`${base}/bull-board/api/queues`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    } finally {
      await context.close();
    }
  });

  it('sends a wrong password back to the form with an error and no cookie', async () => {
    const res = await t
      .http()
      .post('/bull-board/login')
      .type('form')
      .send({ email: admin.email, password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Email or password is incorrect.');
    expect(res.text).toContain('<form method="post" action="/bull-board/login">');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('checks every Bull Board request: page, API and assets', async () => {
    const page = await t.http().get('/bull-board/queue/orders');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/bull-board/login');
    expect((await t.http().get('/bull-board/static/favicon.ico')).status).toBe(401);
    expect((await t.http().put('/bull-board/api/queues/notifications/retry/failed')).status).toBe(401);

    // A customer's live token in a well-signed cookie: authenticated, but not an admin.
    const asCustomer = await t
      .http()
      .get('/bull-board/api/queues')
      .set('Cookie', cookieWith(customer.accessToken));
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body).toMatchObject({ code: 'FORBIDDEN' });

    // The admin's token without the cookie signature does not count.
    const unsigned = await t
      .http()
      .get('/bull-board/api/queues')
      .set('Cookie', `${BULL_BOARD_COOKIE}=${admin.accessToken}`);
    expect(unsigned.status).toBe(401);

    const asAdmin = await t.http().get('/bull-board/api/queues').set('Cookie', cookieWith(admin.accessToken));
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([...QUEUES].sort());

    // Not under the API prefix.
    expect((await t.http().get('/v1/bull-board').set(bearer(admin))).status).toBe(404);
  });

  it('signs out: the cookie is cleared and its session revoked', async () => {
    const login = await t
      .http()
      .post('/bull-board/login')
      .type('form')
      .send({ email: admin.email, password: admin.password });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/bull-board');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/bull-board/);
    const cookie = setCookie.split(';')[0];
    expect((await t.http().get('/bull-board/api/queues').set('Cookie', cookie)).status).toBe(200);

    const logout = await t.http().post('/bull-board/logout').set('Cookie', cookie);
    expect(logout.status).toBe(303);
    expect(logout.headers.location).toBe('/bull-board/login');
    expect(String(logout.headers['set-cookie'])).toMatch(new RegExp(`${BULL_BOARD_COOKIE}=;`));
    expect((await t.http().get('/bull-board/api/queues').set('Cookie', cookie)).status).toBe(401);
  });
});
