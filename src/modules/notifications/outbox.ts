import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { inTransaction } from '../../common/transaction';
import { announce, type AnnouncedEvent } from './announcements';

/** Enqueues a mail's delivery job in the caller's transaction (pg-boss with the same connection). */
export type EnqueueMail = (tx: EntityManager, mailId: string) => Promise<void>;

const BATCH = 100;

/**
 * Turns committed timeline events into what people are told: an in-app notification for the
 * customer's account and an e-mail (to the account, or to a guest's contact address), each at
 * most once per event however often this runs (unique keys, ON CONFLICT DO NOTHING). The
 * outbox rows, the notifications, the mails and their delivery jobs are written in one
 * transaction: a crash leaves the rows for the next run. Safe in several processes at once
 * (SKIP LOCKED). Returns how many events it dispatched.
 */
export async function dispatchOutbox(app: App, enqueueMail: EnqueueMail): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await inTransaction(app.ds, async (tx) => {
      const rows: EventRow[] = await tx.query(
        `SELECT e.id, e.type, e.actor_role, e.to_state, e.data, e.created_at,
                o.id AS order_id, o.order_number, o.customer_id, o.contact_email, o.cancel_reason, o.shipment_carrier, o.tracking_number,
                f.total AS first_total, f.due_at AS first_due, s.total AS second_total,
                a.notification_settings
           FROM outbox x
           JOIN order_event e ON e.id = x.event_id
           JOIN customer_order o ON o.id = e.order_id
           LEFT JOIN invoice f ON f.order_id = o.id AND f.kind = 'FIRST'
           LEFT JOIN invoice s ON s.order_id = o.id AND s.kind = 'SECOND'
           LEFT JOIN account a ON a.id = o.customer_id
          ORDER BY x.event_id
          LIMIT ${BATCH}
          FOR UPDATE OF x SKIP LOCKED`,
      );
      for (const row of rows) {
        const news = announce(toEvent(row));
        if (!news) continue;
        if (row.customer_id) {
          await tx.query(
            `INSERT INTO notification (account_id, order_id, event_id, kind, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (event_id, account_id) DO NOTHING`,
            [row.customer_id, row.order_id, row.id, news.kind, news.title, news.body, row.created_at],
          );
        }
        if (row.notification_settings?.mailOff?.includes(news.kind)) continue;
        const [mail]: { id: string }[] = await tx.query(
          `INSERT INTO outgoing_mail (event_id, account_id, recipient, kind, subject, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, now())
           ON CONFLICT (event_id, recipient, kind) DO NOTHING RETURNING id`,
          [row.id, row.customer_id, row.contact_email, news.kind, `【代行サービス】${news.title}`, `${news.body}\n\n——\nこのメールは送信専用です。ご返信はアプリのメッセージからお願いします。`],
        );
        if (mail) await enqueueMail(tx, mail.id);
      }
      if (rows.length) await tx.query(`DELETE FROM outbox WHERE event_id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
    total += done;
    if (done < BATCH) return total;
  }
}

interface EventRow {
  id: string;
  type: string;
  actor_role: string;
  to_state: string | null;
  data: Record<string, any>;
  created_at: Date;
  order_id: string;
  order_number: string;
  customer_id: string | null;
  contact_email: string;
  cancel_reason: string | null;
  shipment_carrier: string | null;
  tracking_number: string | null;
  first_total: string | null;
  first_due: Date | null;
  second_total: string | null;
  notification_settings: { mailOff?: string[] } | null;
}

function toEvent(r: EventRow): AnnouncedEvent {
  return {
    id: r.id,
    type: r.type,
    actorRole: r.actor_role,
    toState: r.to_state,
    data: r.data,
    order: { id: r.order_id, orderNumber: r.order_number, cancelReason: r.cancel_reason, shipmentCarrier: r.shipment_carrier, trackingNumber: r.tracking_number },
    firstInvoice: r.first_total !== null ? { total: r.first_total, dueAt: r.first_due } : null,
    secondInvoice: r.second_total !== null ? { total: r.second_total } : null,
  };
}

/**
 * A mail that comes from no timeline event (a password reset), written in the caller's
 * transaction; its delivery job too when this process runs the workers, else the workers'
 * backstop picks it up within a minute.
 */
export async function queueMail(app: App, tx: EntityManager, mail: { accountId: string | null; recipient: string; kind: string; subject: string; text: string }): Promise<void> {
  const [row]: { id: string }[] = await tx.query(
    `INSERT INTO outgoing_mail (event_id, account_id, recipient, kind, subject, text, created_at) VALUES (NULL, $1, $2, $3, $4, $5, now()) RETURNING id`,
    [mail.accountId, mail.recipient, mail.kind, mail.subject, mail.text],
  );
  if (app.workers) await app.workers.enqueueMail(tx, row.id);
}

/** Delivers one mail; a mail already sent is not sent again (a retried or duplicated job). */
export async function deliverMail(app: App, mailer: { send: (m: { to: string; subject: string; text: string; messageId: string }) => Promise<void> }, mailId: string): Promise<'sent' | 'already'> {
  const [mail]: { id: string; recipient: string; subject: string; text: string; sent_at: Date | null }[] = await app.ds.query(
    `SELECT id, recipient, subject, text, sent_at FROM outgoing_mail WHERE id = $1`,
    [mailId],
  );
  if (!mail || mail.sent_at) return 'already';
  const messageId = `<${mail.id}@proxy-buy.mail>`;
  // No lock is held while the SMTP server is called: a slow server stalls only this job.
  await mailer.send({ to: mail.recipient, subject: mail.subject, text: mail.text, messageId });
  await app.ds.query(`UPDATE outgoing_mail SET sent_at = now(), message_id = $2 WHERE id = $1 AND sent_at IS NULL`, [mail.id, messageId]);
  return 'sent';
}
