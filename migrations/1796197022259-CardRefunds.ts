import { MigrationInterface, QueryRunner } from "typeorm";

export class CardRefunds1796197022259 implements MigrationInterface {
    name = 'CardRefunds1796197022259'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."refund_status" AS ENUM('PENDING', 'SUCCEEDED', 'FAILED')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."refund_fallback" AS ENUM('DEPOSIT', 'BANK_ACCOUNT')
        `);
        await queryRunner.query(`
            CREATE TABLE "refund" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" BIGSERIAL NOT NULL,
                "status" "public"."refund_status" NOT NULL,
                "order_id" uuid NOT NULL,
                "invoice_id" uuid NOT NULL,
                "payment_id" uuid NOT NULL,
                "account_id" uuid,
                "amount" bigint NOT NULL,
                "provider" character varying(20) NOT NULL,
                "capture_id" character varying(64) NOT NULL,
                "provider_refund_id" character varying(64),
                "provider_status" character varying(20),
                "attempts" integer NOT NULL DEFAULT '0',
                "claimed_until" TIMESTAMP WITH TIME ZONE,
                "last_error" character varying(500),
                "failure_reason" character varying(500),
                "fallback" "public"."refund_fallback",
                "note" character varying(500),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "created_by" uuid,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "refund_failed_check" CHECK (
                    "status" <> 'FAILED'
                    OR (
                        btrim(coalesce("failure_reason", '')) <> ''
                        AND "completed_at" IS NOT NULL
                    )
                ),
                CONSTRAINT "refund_succeeded_check" CHECK (
                    "status" <> 'SUCCEEDED'
                    OR (
                        "provider_refund_id" IS NOT NULL
                        AND "completed_at" IS NOT NULL
                    )
                ),
                CONSTRAINT "refund_amount_check" CHECK (
                    "amount" > 0
                    AND "attempts" >= 0
                ),
                CONSTRAINT "PK_f1cefa2e60d99b206c46c1116e5" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "refund_provider_refund_key" ON "refund" ("provider_refund_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "refund_pending_idx" ON "refund" ("seq")
            WHERE "status" = 'PENDING'
        `);
        await queryRunner.query(`
            CREATE INDEX "refund_payment_idx" ON "refund" ("payment_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "refund_order_idx" ON "refund" ("order_id", "seq")
        `);
        await queryRunner.query(`
            ALTER TABLE "refund"
            ADD CONSTRAINT "refund_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "refund"
            ADD CONSTRAINT "refund_invoice_fk" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "refund"
            ADD CONSTRAINT "refund_payment_fk" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "refund" DROP CONSTRAINT "refund_payment_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "refund" DROP CONSTRAINT "refund_invoice_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "refund" DROP CONSTRAINT "refund_order_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."refund_order_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."refund_payment_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."refund_pending_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."refund_provider_refund_key"
        `);
        await queryRunner.query(`
            DROP TABLE "refund"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."refund_fallback"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."refund_status"
        `);
    }

}
