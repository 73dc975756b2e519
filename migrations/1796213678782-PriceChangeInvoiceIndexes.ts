import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order may now have several ADDITIONAL invoices: the one-per-kind unique index becomes
 * partial (FIRST and SECOND only), and a plain (order_id, kind) index serves every lookup of an
 * order's invoices. Built CONCURRENTLY outside a transaction so a deploy does not lock the
 * invoice table; the new unique index exists before the old one is dropped.
 */
export class PriceChangeInvoiceIndexes1796213678782 implements MigrationInterface {
  name = 'PriceChangeInvoiceIndexes1796213678782';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "invoice_order_idx" ON "invoice" ("order_id", "kind")`);
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."invoice_order_kind_key_partial"`); // a build interrupted half way leaves an INVALID index
    await queryRunner.query(`CREATE UNIQUE INDEX CONCURRENTLY "invoice_order_kind_key_partial" ON "invoice" ("order_id", "kind") WHERE "kind" IN ('FIRST', 'SECOND')`);
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."invoice_order_kind_key"`);
    await queryRunner.query(`ALTER INDEX "public"."invoice_order_kind_key_partial" RENAME TO "invoice_order_kind_key"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."invoice_order_kind_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "invoice_order_kind_key" ON "invoice" ("order_id", "kind")`);
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."invoice_order_idx"`);
  }
}
