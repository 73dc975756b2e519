import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial indexes that let a screen read only its own rows (issue 16): the UNANSWERED_MESSAGE
 * and SELLER_QUESTION queues (orders with the fact, longest waiting first), an order's unread
 * messages (unread counts, markRead) and its reply deadlines (`Order.replyDeadline`). Built
 * after the backfill, CONCURRENTLY outside a transaction like ScaleIndexes; an interrupted
 * build leaves an INVALID index, which is dropped and built again.
 */
export class QueueFactIndexes1796212825127 implements MigrationInterface {
  name = 'QueueFactIndexes1796212825127';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await createIndex(queryRunner, 'customer_order_awaiting_reply_idx', `"customer_order" ("awaiting_reply_since", "id") WHERE "awaiting_reply_since" IS NOT NULL`);
    await createIndex(queryRunner, 'customer_order_seller_question_idx', `"customer_order" ("seller_question_since", "id") WHERE "seller_question_since" IS NOT NULL`);
    await createIndex(queryRunner, 'message_unread_idx', `"message" ("order_id", "author_side") WHERE "read_at" IS NULL`);
    await createIndex(queryRunner, 'message_reply_deadline_idx', `"message" ("order_id", "seq") WHERE "reply_deadline" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['message_reply_deadline_idx', 'message_unread_idx', 'customer_order_seller_question_idx', 'customer_order_awaiting_reply_idx']) {
      await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)} IF EXISTS "public"."${name}"`);
    }
  }
}

/** CONCURRENTLY only outside a transaction (`migration:revert` runs `down` in one unless given `-t none`). */
function concurrently(queryRunner: QueryRunner): string {
  return queryRunner.isTransactionActive ? '' : 'CONCURRENTLY';
}

async function createIndex(queryRunner: QueryRunner, name: string, definition: string): Promise<void> {
  const [leftover] = await queryRunner.query(
    `SELECT NOT i.indisvalid AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
    [name],
  );
  if (leftover?.invalid) await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)} IF EXISTS "public"."${name}"`);
  await queryRunner.query(`CREATE INDEX ${concurrently(queryRunner)} IF NOT EXISTS "${name}" ON ${definition}`);
}
