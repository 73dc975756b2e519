import type { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = 10_000;

/**
 * Fills the queue facts of existing orders, as messaging keeps them from now on
 * (MessageService.messageWritten / orderClosed):
 * - `awaiting_reply_since`: the oldest customer message after staff's last one; on a completed
 *   or cancelled order only one sent after it closed (closing takes an order out of the queue);
 * - `seller_question_since`: the oldest unanswered seller question of an order still open.
 * One UPDATE per 10,000 orders (by id), each committed on its own (`transaction = false`), so
 * no statement holds a million rows' locks or one long transaction; only orders with a fact are
 * written (the columns start null). Running it again repairs what differs, and nothing else.
 */
export class QueueFactsBackfill1796212825126 implements MigrationInterface {
  name = 'QueueFactsBackfill1796212825126';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const [last]: { id: string }[] = await queryRunner.query(`SELECT id FROM customer_order WHERE id > $1 ORDER BY id OFFSET $2 LIMIT 1`, [after, BATCH - 1]);
      await queryRunner.query(
        `UPDATE customer_order o SET awaiting_reply_since = f.awaiting, seller_question_since = f.question
           FROM (SELECT b.id,
                   (SELECT min(m.created_at) FROM message m
                     WHERE m.order_id = b.id AND m.author_side = 'CUSTOMER'
                       AND m.seq > coalesce((SELECT max(s.seq) FROM message s WHERE s.order_id = b.id AND s.author_side = 'STAFF'), 0)
                       AND (b.status NOT IN ('COMPLETED', 'CANCELLED') OR m.created_at > coalesce(b.completed_at, b.cancelled_at))) AS awaiting,
                   CASE WHEN b.status IN ('COMPLETED', 'CANCELLED') THEN NULL
                        ELSE (SELECT min(q.created_at) FROM message q WHERE q.order_id = b.id AND q.ask_seller_before_purchase AND q.answered_at IS NULL) END AS question
                 FROM customer_order b
                WHERE b.id > $1 AND ($2::uuid IS NULL OR b.id <= $2)) f
          WHERE o.id = f.id
            AND (o.awaiting_reply_since IS DISTINCT FROM f.awaiting OR o.seller_question_since IS DISTINCT FROM f.question)`,
        [after, last?.id ?? null],
      );
      if (!last) return;
      after = last.id;
    }
  }

  public async down(): Promise<void> {
    // The columns go with QueueFacts' down.
  }
}
