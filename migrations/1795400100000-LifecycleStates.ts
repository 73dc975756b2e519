import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11: an application never quoted is cancelled (NOT_QUOTED); an exchange or return left
 * open when its item or order is cancelled is CLOSED rather than open for ever.
 */
export class LifecycleStates1795400100000 implements MigrationInterface {
  name = 'LifecycleStates1795400100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TYPE "public"."cancel_reason" ADD VALUE IF NOT EXISTS 'NOT_QUOTED' AFTER 'UNPAID_TIMEOUT'`);
    await queryRunner.query(`ALTER TYPE "public"."item_exchange_status" ADD VALUE IF NOT EXISTS 'CLOSED'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // PostgreSQL cannot drop an enum value: rebuild each type without it (rows holding it first).
    await queryRunner.query(`UPDATE "customer_order" SET "cancel_reason" = 'OTHER' WHERE "cancel_reason" = 'NOT_QUOTED'`);
    await queryRunner.query(`ALTER TYPE "public"."cancel_reason" RENAME TO "cancel_reason_old"`);
    await queryRunner.query(
      `CREATE TYPE "public"."cancel_reason" AS ENUM('CUSTOMER_REQUEST', 'ALL_ITEMS_CANCELLED', 'UNPAID_TIMEOUT', 'PURCHASE_FAILED', 'FORWARDING_FAILED', 'PROHIBITED_ITEM', 'DUPLICATE_ORDER', 'OTHER')`,
    );
    await queryRunner.query(`ALTER TABLE "customer_order" ALTER COLUMN "cancel_reason" TYPE "public"."cancel_reason" USING "cancel_reason"::text::"public"."cancel_reason"`);
    await queryRunner.query(`DROP TYPE "public"."cancel_reason_old"`);
    await queryRunner.query(`UPDATE "item_return_request" SET "status" = 'SELLER_REFUSED' WHERE "status" = 'CLOSED'`);
    await queryRunner.query(`ALTER TYPE "public"."item_exchange_status" RENAME TO "item_exchange_status_old"`);
    await queryRunner.query(`CREATE TYPE "public"."item_exchange_status" AS ENUM('REQUESTED', 'SELLER_ACCEPTED', 'SELLER_REFUSED', 'COMPLETED')`);
    await queryRunner.query(`ALTER TABLE "item_return_request" ALTER COLUMN "status" DROP DEFAULT`);
    await queryRunner.query(
      `ALTER TABLE "item_return_request" ALTER COLUMN "status" TYPE "public"."item_exchange_status" USING "status"::text::"public"."item_exchange_status"`,
    );
    await queryRunner.query(`ALTER TABLE "item_return_request" ALTER COLUMN "status" SET DEFAULT 'REQUESTED'`);
    await queryRunner.query(`DROP TYPE "public"."item_exchange_status_old"`);
  }
}
