import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `Order.cancellationRequests` reads an order's requests oldest first; without this index it
 * scans the table. Built CONCURRENTLY outside a transaction, like ScaleIndexes.
 */
export class CancellationRequestOrderIndex1796200942430 implements MigrationInterface {
  name = 'CancellationRequestOrderIndex1796200942430';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "cancellation_request_order_idx" ON "cancellation_request" ("order_id", "requested_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."cancellation_request_order_idx"`);
  }
}
