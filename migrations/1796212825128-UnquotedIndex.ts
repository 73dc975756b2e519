import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auto-cancel sweep's unquoted applications (`status = 'SUBMITTED' AND submitted_at <= …`
 * oldest first): with nothing due, the planner walked `(submitted_at, id)` from the oldest order,
 * through every order older than the deadline. A partial index holds only the SUBMITTED ones.
 * Built CONCURRENTLY outside a transaction, like ScaleIndexes.
 */
export class UnquotedIndex1796212825128 implements MigrationInterface {
  name = 'UnquotedIndex1796212825128';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [leftover] = await queryRunner.query(
      `SELECT NOT i.indisvalid AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = 'customer_order_unquoted_idx' AND c.relnamespace = 'public'::regnamespace`,
    );
    if (leftover?.invalid) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."customer_order_unquoted_idx"`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "customer_order_unquoted_idx" ON "customer_order" ("submitted_at", "id") WHERE "status" = 'SUBMITTED'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${queryRunner.isTransactionActive ? '' : 'CONCURRENTLY'} IF EXISTS "public"."customer_order_unquoted_idx"`);
  }
}
