import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Uses CAPTURING (added by the previous migration, now committed): a payment being captured is
 * still the invoice's one live payment, the recovery sweep reads its queue from a partial index,
 * and a CAPTURING row always says which PayPal order, which request id and since when.
 */
export class CapturingQueue1796200000001 implements MigrationInterface {
    name = 'CapturingQueue1796200000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."payment_one_live_per_invoice_key"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "payment_one_live_per_invoice_key" ON "payment" ("invoice_id")
            WHERE "status" IN ('PENDING', 'CAPTURING', 'REPORTED')
                AND "method" <> 'DEPOSIT'
        `);
        await queryRunner.query(`
            CREATE INDEX "payment_capturing_queue_idx" ON "payment" ("capture_started_at", "id")
            WHERE "status" = 'CAPTURING'
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_capturing_check" CHECK (
                    "status" <> 'CAPTURING'
                    OR (
                        "method" = 'CARD'
                        AND "provider_order_id" IS NOT NULL
                        AND "capture_request_id" IS NOT NULL
                        AND "capture_started_at" IS NOT NULL
                    )
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "payment" DROP CONSTRAINT "payment_capturing_check"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_capturing_queue_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_one_live_per_invoice_key"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "payment_one_live_per_invoice_key" ON "payment" ("invoice_id")
            WHERE "status" IN ('PENDING', 'REPORTED')
                AND "method" <> 'DEPOSIT'
        `);
    }

}
