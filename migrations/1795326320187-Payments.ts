import { MigrationInterface, QueryRunner } from "typeorm";

export class Payments1795326320187 implements MigrationInterface {
    name = 'Payments1795326320187'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."payment_purpose" AS ENUM('INVOICE', 'DEPOSIT_TOP_UP')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."payment_method" AS ENUM('DEPOSIT', 'BANK_TRANSFER', 'CARD')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."payment_status" AS ENUM(
                'PENDING',
                'REPORTED',
                'SETTLED',
                'REJECTED',
                'FAILED',
                'CANCELLED'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "payment" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" BIGSERIAL NOT NULL,
                "purpose" "public"."payment_purpose" NOT NULL,
                "account_id" uuid,
                "order_id" uuid,
                "invoice_id" uuid,
                "method" "public"."payment_method" NOT NULL,
                "status" "public"."payment_status" NOT NULL,
                "currency" "public"."currency" NOT NULL DEFAULT 'JPY',
                "amount" bigint NOT NULL,
                "fee" bigint NOT NULL DEFAULT '0',
                "applied_amount" bigint,
                "excess_amount" bigint,
                "payer_name" character varying(100),
                "reported_amount" bigint,
                "transfer_date" date,
                "reported_at" TIMESTAMP WITH TIME ZONE,
                "confirmed_amount" bigint,
                "rejection_reason" character varying(500),
                "decided_by" uuid,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "provider" character varying(20),
                "provider_order_id" character varying(64),
                "capture_id" character varying(64),
                "approval_url" character varying(2000),
                "failure_reason" character varying(500),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "settled_at" TIMESTAMP WITH TIME ZONE,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "payment_rejected_check" CHECK (
                    "status" <> 'REJECTED'
                    OR btrim(coalesce("rejection_reason", '')) <> ''
                ),
                CONSTRAINT "payment_reported_check" CHECK (
                    "status" NOT IN ('REPORTED', 'REJECTED')
                    OR "reported_at" IS NOT NULL
                ),
                CONSTRAINT "payment_settled_check" CHECK (
                    "status" <> 'SETTLED'
                    OR (
                        "applied_amount" IS NOT NULL
                        AND "settled_at" IS NOT NULL
                    )
                ),
                CONSTRAINT "payment_transfer_fields_check" CHECK (
                    "method" = 'BANK_TRANSFER'
                    OR (
                        "payer_name" IS NULL
                        AND "confirmed_amount" IS NULL
                        AND "reported_at" IS NULL
                    )
                ),
                CONSTRAINT "payment_card_fields_check" CHECK (
                    "method" = 'CARD'
                    OR (
                        "provider_order_id" IS NULL
                        AND "capture_id" IS NULL
                        AND "fee" = 0
                    )
                ),
                CONSTRAINT "payment_deposit_account_check" CHECK (
                    "method" <> 'DEPOSIT'
                    OR "account_id" IS NOT NULL
                ),
                CONSTRAINT "payment_purpose_check" CHECK (
                    (
                        "purpose" = 'INVOICE'
                        AND "invoice_id" IS NOT NULL
                        AND "order_id" IS NOT NULL
                    )
                    OR (
                        "purpose" = 'DEPOSIT_TOP_UP'
                        AND "invoice_id" IS NULL
                        AND "order_id" IS NULL
                        AND "account_id" IS NOT NULL
                        AND "method" <> 'DEPOSIT'
                    )
                ),
                CONSTRAINT "payment_amounts_check" CHECK (
                    "amount" > 0
                    AND "fee" >= 0
                    AND "applied_amount" >= 0
                    AND "excess_amount" >= 0
                    AND "confirmed_amount" > 0
                    AND "reported_amount" > 0
                ),
                CONSTRAINT "PK_fcaec7df5adf9cac408c686b2ab" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "payment_capture_key" ON "payment" ("capture_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "payment_provider_order_key" ON "payment" ("provider_order_id")
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
            CREATE INDEX "payment_account_idx" ON "payment" ("account_id", "seq")
        `);
        await queryRunner.query(`
            CREATE INDEX "payment_invoice_idx" ON "payment" ("invoice_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "payment_order_idx" ON "payment" ("order_id", "seq")
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_account_fk" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_invoice_fk" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "payment"
            ADD CONSTRAINT "payment_decided_by_fk" FOREIGN KEY ("decided_by") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);

        // Hand-written: payments are records of money, moved to a final state but never deleted.
        await queryRunner.query(`
            CREATE TRIGGER "payment_no_delete" BEFORE DELETE ON "payment"
            FOR EACH ROW EXECUTE FUNCTION "append_only_refuse"()
        `);
        await queryRunner.query(`
            CREATE TRIGGER "payment_no_truncate" BEFORE TRUNCATE ON "payment"
            FOR EACH STATEMENT EXECUTE FUNCTION "append_only_refuse"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER "payment_no_truncate" ON "payment"
        `);
        await queryRunner.query(`
            DROP TRIGGER "payment_no_delete" ON "payment"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP CONSTRAINT "payment_decided_by_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP CONSTRAINT "payment_invoice_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP CONSTRAINT "payment_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "payment" DROP CONSTRAINT "payment_account_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_order_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_invoice_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_account_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_reported_queue_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_one_live_per_invoice_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_provider_order_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."payment_capture_key"
        `);
        await queryRunner.query(`
            DROP TABLE "payment"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_method"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."payment_purpose"
        `);
    }

}
