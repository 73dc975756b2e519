import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Card capture in three steps (issue 14): the payment is claimed (CAPTURING, with who, when and
 * the PayPal-Request-Id), PayPal is called outside any transaction, then it settles or fails.
 * The new enum value is used by the next migration: PostgreSQL allows a value added by
 * ALTER TYPE … ADD VALUE only after its transaction commits (migrations run one per transaction).
 */
export class Capturing1796200000000 implements MigrationInterface {
    name = 'Capturing1796200000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TYPE "public"."payment_status"
            ADD VALUE IF NOT EXISTS 'CAPTURING' AFTER 'PENDING'
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD "capture_request_id" character varying(80)
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD "capture_started_at" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD "capture_started_by" character varying(200)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "payment" DROP COLUMN "capture_started_by"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP COLUMN "capture_started_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP COLUMN "capture_request_id"
        `);
        // A payment left CAPTURING goes back to PENDING: the recovery sweep no longer exists to finish it.
        // The checks and partial indexes compare the status with constants of the type: rebuilt around the change.
        for (const check of ['payment_rejected_check', 'payment_reported_check', 'payment_settled_check']) {
            await queryRunner.query(`ALTER TABLE "payment" DROP CONSTRAINT "${check}"`);
        }
        await queryRunner.query(`
            DROP INDEX "public"."payment_one_live_per_invoice_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_reported_queue_idx"
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."payment_status_old" AS ENUM(
                'PENDING',
                'REPORTED',
                'SETTLED',
                'REJECTED',
                'FAILED',
                'CANCELLED'
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ALTER COLUMN "status" TYPE "public"."payment_status_old"
            USING (CASE WHEN "status"::"text" = 'CAPTURING' THEN 'PENDING' ELSE "status"::"text" END)::"public"."payment_status_old"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_status"
        `);
        await queryRunner.query(`
            ALTER TYPE "public"."payment_status_old"
            RENAME TO "payment_status"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "payment_one_live_per_invoice_key" ON "payment" ("invoice_id")
            WHERE "status" IN ('PENDING', 'REPORTED')
                AND "method" <> 'DEPOSIT'
        `);
        await queryRunner.query(`
            CREATE INDEX "payment_reported_queue_idx" ON "payment" ("reported_at", "id")
            WHERE "status" = 'REPORTED'
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_rejected_check" CHECK (
                    "status" <> 'REJECTED'
                    OR btrim(coalesce("rejection_reason", '')) <> ''
                ),
            ADD CONSTRAINT "payment_reported_check" CHECK (
                    "status" NOT IN ('REPORTED', 'REJECTED')
                    OR "reported_at" IS NOT NULL
                ),
            ADD CONSTRAINT "payment_settled_check" CHECK (
                    "status" <> 'SETTLED'
                    OR (
                        "applied_amount" IS NOT NULL
                        AND "settled_at" IS NOT NULL
                    )
                )
        `);
    }

}
