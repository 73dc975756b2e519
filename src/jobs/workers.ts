import PgBoss from 'pg-boss';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { App } from '../app/app';
import { createMailer, type Mailer } from '../modules/notifications/mailer';
import { deliverMail, dispatchOutbox } from '../modules/notifications/outbox';
import { asTransactionKind } from '../common/transaction';
import { SWEEPS } from './scheduler';

/** The queues, in one place: name → what it does (docs/jobs.md). */
export const QUEUES = {
  dispatch: 'outbox-dispatch',
  mail: 'mail-send',
  mailDead: 'mail-dead',
  mailBackstop: 'mail-backstop',
  refund: 'refund-card',
  refundBackstop: 'refund-backstop',
  sweep: (name: string) => `sweep-${name}`,
} as const;

/** Sweeps that run less often than every minute. */
const CRON: Record<string, string> = { cleanUp: '17 * * * *' };

export interface Workers {
  boss: PgBoss;
  mailer: Mailer;
  /** Creates a mail's delivery job in the caller's transaction. */
  enqueueMail(tx: EntityManager, mailId: string): Promise<void>;
  /** Creates a card refund's job in the caller's transaction: it runs after the commit. */
  enqueueRefund(tx: EntityManager, refundId: string): Promise<void>;
  /** Dispatches the outbox now (also run on every committed event and once a minute). */
  dispatch(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The job queue on the database we already run (pg-boss; why in docs/jobs.md). Each gateway
 * process with WORKERS on runs: the outbox dispatch (woken by NOTIFY order_event, and every
 * minute in case a wake-up was missed), e-mail delivery with retries and backoff ending in a
 * dead-letter queue staff can list and retry, and the sweeps as cron schedules — pg-boss fires
 * each schedule once across all processes, and every sweep is itself safe to run concurrently.
 */
export async function startWorkers(app: App, databaseUrl: string, options: { mailer?: Mailer; cron?: boolean } = {}): Promise<Workers> {
  const log = app.log.child({ component: 'workers' });
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 4, application_name: 'gateway-workers', schedule: options.cron !== false });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  await boss.start();
  await boss.createQueue(QUEUES.mailDead, { name: QUEUES.mailDead, retentionDays: 30 });
  await boss.createQueue(QUEUES.mail, {
    name: QUEUES.mail,
    retryLimit: app.config.MAIL_RETRY_LIMIT,
    retryDelay: app.config.MAIL_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    deadLetter: QUEUES.mailDead,
  });
  await boss.createQueue(QUEUES.dispatch, { name: QUEUES.dispatch, policy: 'singleton' });
  const mailer = options.mailer ?? createMailer({ smtpUrl: app.config.SMTP_URL, from: app.config.MAIL_FROM, dir: app.config.MAIL_DIR, log });

  // Delivery jobs are created in the dispatch transaction, on its own connection.
  const enqueueMail = async (tx: EntityManager, mailId: string) => {
    await boss.send(QUEUES.mail, { mailId }, { singletonKey: mailId, db: { executeSql: async (text, values) => ({ rows: await tx.query(text, values) }) } });
  };
  // Card refunds (docs/payments.md, "Refunds"): PayPal is called by the job, outside any transaction.
  await boss.createQueue(QUEUES.refund, {
    name: QUEUES.refund,
    retryLimit: app.config.REFUND_RETRY_LIMIT,
    retryDelay: app.config.REFUND_RETRY_DELAY_SECONDS,
    retryBackoff: true,
  });
  const enqueueRefund = async (tx: EntityManager, refundId: string) => {
    await boss.send(QUEUES.refund, { refundId }, { singletonKey: refundId, db: { executeSql: async (text, values) => ({ rows: await tx.query(text, values) }) } });
  };
  let running: Promise<number> | null = null;
  let again = false;
  const dispatch = async (): Promise<number> => {
    if (running) {
      again = true; // one more round after this one: an event may have committed meanwhile
      return running;
    }
    running = (async () => {
      let n = 0;
      do {
        again = false;
        n += await asTransactionKind('sweep', () => dispatchOutbox(app, enqueueMail));
      } while (again);
      return n;
    })().finally(() => (running = null));
    return running;
  };

  // Up to 10 mails per fetch, sent side by side; each job fails (and is retried) on its own:
  // pg-boss completes the batch when the handler returns, and a job already failed stays failed.
  await boss.work<{ mailId: string }>(QUEUES.mail, { batchSize: 10, pollingIntervalSeconds: 1 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        try {
          const result = await deliverMail(app, mailer, job.data.mailId);
          log.debug({ mailId: job.data.mailId, result }, 'mail job');
        } catch (error) {
          log.warn({ err: error, mailId: job.data.mailId }, 'mail not delivered; will retry');
          await boss.fail(QUEUES.mail, job.id, { message: String((error as Error)?.message ?? error) });
        }
      }),
    );
  });
  await boss.work<{ refundId: string }>(QUEUES.refund, { pollingIntervalSeconds: 1 }, async ([job]) => {
    const result = await app.refunds.execute(job.data.refundId);
    log.info({ refundId: job.data.refundId, result }, 'card refund job');
  });
  // Refunds recorded by a process without workers, or whose retries ran out while PayPal was down, get a new job.
  await boss.createQueue(QUEUES.refundBackstop, { name: QUEUES.refundBackstop, policy: 'singleton' });
  await boss.work(QUEUES.refundBackstop, async () => {
    for (const refundId of await app.refunds.unattended(QUEUES.refund)) await boss.send(QUEUES.refund, { refundId }, { singletonKey: refundId });
  });
  if (options.cron !== false) await boss.schedule(QUEUES.refundBackstop, '* * * * *');
  await boss.work(QUEUES.dispatch, async () => {
    await dispatch();
  });
  for (const [name, sweep] of Object.entries(SWEEPS)) {
    const queue = QUEUES.sweep(name);
    await boss.createQueue(queue, { name: queue, policy: 'singleton' });
    await boss.work(queue, async () => {
      // A sweep's transactions get the sweep time limits (SWEEP_*_TIMEOUT_MS), not a request's.
      const count = await asTransactionKind('sweep', () => sweep(app, app.clock.now()));
      if (count) log.info({ sweep: name, count }, 'sweep done');
    });
    if (options.cron !== false) await boss.schedule(queue, CRON[name] ?? '* * * * *');
  }
  if (options.cron !== false) await boss.schedule(QUEUES.dispatch, '* * * * *');

  // Mails written by a process without workers (a password reset on a WORKERS=0 process) get
  // their job here. Only mails that never had one: a dead mail stays dead until staff retry it.
  await boss.createQueue(QUEUES.mailBackstop, { name: QUEUES.mailBackstop, policy: 'singleton' });
  await boss.work(QUEUES.mailBackstop, async () => {
    const orphans: { id: string }[] = await app.ds.query(
      `SELECT m.id FROM outgoing_mail m WHERE m.sent_at IS NULL AND m.created_at > now() - interval '1 hour' AND m.created_at < now() - interval '30 seconds'
          AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.singleton_key = m.id::text)
          AND NOT EXISTS (SELECT 1 FROM pgboss.archive j WHERE j.name = $1 AND j.singleton_key = m.id::text)`,
      [QUEUES.mail],
    );
    for (const { id } of orphans) await boss.send(QUEUES.mail, { mailId: id }, { singletonKey: id });
  });
  if (options.cron !== false) await boss.schedule(QUEUES.mailBackstop, '* * * * *');

  // Woken by every committed timeline event (the trigger's NOTIFY), so people hear within a second.
  const listener = new pg.Client({ connectionString: databaseUrl, application_name: 'gateway-outbox-listener' });
  let stopped = false;
  listener.on('notification', () => void dispatch().catch((error) => log.error({ err: error }, 'outbox dispatch failed')));
  listener.on('error', (error: Error) => log.warn({ err: error }, 'outbox listener lost; the minute schedule still dispatches'));
  await listener.connect();
  await listener.query('LISTEN order_event');
  void dispatch().catch((error) => log.error({ err: error }, 'outbox dispatch failed')); // what a previous process left

  const workers: Workers = {
    boss,
    mailer,
    enqueueMail,
    enqueueRefund,
    dispatch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await listener.end().catch(() => {});
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await running?.catch(() => {});
      mailer.close();
      if (app.workers === workers) app.workers = undefined;
    },
  };
  app.workers = workers;
  return workers;
}

/** Failed deliveries after their last retry, for staff (`failedJobs`), newest first. */
export async function deadJobs(app: App, first: number): Promise<{ id: string; name: string; data: unknown; output: unknown; createdOn: Date; completedOn: Date | null; retryCount: number }[]> {
  const [exists]: { ok: boolean }[] = await app.ds.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`);
  if (!exists.ok) return []; // no process has run the workers on this database yet
  return app.ds.query(
    `SELECT id, name, data, output, created_on AS "createdOn", completed_on AS "completedOn", retry_count AS "retryCount"
       FROM pgboss.job WHERE name = $1 AND state = 'failed' ORDER BY created_on DESC LIMIT $2`,
    [QUEUES.mail, first],
  );
}
