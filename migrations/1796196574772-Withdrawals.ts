import { MigrationInterface, QueryRunner } from "typeorm";

export class Withdrawals1796196574772 implements MigrationInterface {
    name = 'Withdrawals1796196574772'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."withdrawal_status" AS ENUM('REQUESTED', 'COMPLETED', 'REJECTED')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."withdrawal_source" AS ENUM('DEPOSIT', 'REFUND')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."bank_account_type" AS ENUM('ORDINARY', 'CURRENT')
        `);
        await queryRunner.query(`
            CREATE TABLE "withdrawal" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" BIGSERIAL NOT NULL,
                "status" "public"."withdrawal_status" NOT NULL,
                "source" "public"."withdrawal_source" NOT NULL,
                "account_id" uuid,
                "order_id" uuid,
                "payment_id" uuid,
                "refund_id" uuid,
                "replaces_id" uuid,
                "amount" bigint NOT NULL,
                "bank_name" character varying(60),
                "branch_name" character varying(60),
                "account_type" "public"."bank_account_type",
                "account_number" character varying(7),
                "account_holder_kana" character varying(80),
                "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "requested_by" uuid,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "decided_by" uuid,
                "transfer_reference" character varying(100),
                "decision_note" character varying(500),
                CONSTRAINT "withdrawal_rejected_check" CHECK (
                    "status" <> 'REJECTED'
                    OR (
                        btrim(coalesce("decision_note", '')) <> ''
                        AND "decided_at" IS NOT NULL
                    )
                ),
                CONSTRAINT "withdrawal_completed_check" CHECK (
                    "status" <> 'COMPLETED'
                    OR (
                        "bank_name" IS NOT NULL
                        AND btrim(coalesce("transfer_reference", '')) <> ''
                        AND "decided_at" IS NOT NULL
                    )
                ),
                CONSTRAINT "withdrawal_bank_account_check" CHECK (
                    ("bank_name" IS NULL) = ("branch_name" IS NULL)
                    AND ("bank_name" IS NULL) = ("account_type" IS NULL)
                    AND ("bank_name" IS NULL) = ("account_number" IS NULL)
                    AND ("bank_name" IS NULL) = ("account_holder_kana" IS NULL)
                    AND (
                        "account_number" IS NULL
                        OR "account_number" ~ '^[0-9]{7}$'
                    )
                ),
                CONSTRAINT "withdrawal_owner_check" CHECK (
                    "account_id" IS NOT NULL
                    OR "order_id" IS NOT NULL
                ),
                CONSTRAINT "withdrawal_amount_check" CHECK ("amount" > 0),
                CONSTRAINT "PK_840e247aaad3fbd4e18129122a2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "withdrawal_payment_idx" ON "withdrawal" ("payment_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "withdrawal_order_idx" ON "withdrawal" ("order_id", "seq")
        `);
        await queryRunner.query(`
            CREATE INDEX "withdrawal_account_idx" ON "withdrawal" ("account_id", "seq")
        `);
        await queryRunner.query(`
            CREATE INDEX "withdrawal_status_queue_idx" ON "withdrawal" ("status", "seq")
        `);
        await queryRunner.query(`
            DROP INDEX "public"."deposit_entry_once_per_reference_key"
        `);
        // The new kinds and references were added by WithdrawalLedgerKinds (a committed transaction before this one).
        // TypeORM does not compare CHECK expressions: the sign rule for the new kinds is written here by hand.
        await queryRunner.query(`ALTER TABLE "deposit_entry" DROP CONSTRAINT "deposit_entry_sign_check"`);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry" ADD CONSTRAINT "deposit_entry_sign_check" CHECK (
                "kind" = 'ADJUSTMENT' OR ("kind" IN ('INVOICE_PAYMENT', 'WITHDRAWAL_HOLD') AND "amount" < 0)
                OR ("kind" IN ('TOP_UP', 'REFUND', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL', 'WITHDRAWAL_RELEASE') AND "amount" > 0)
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "deposit_entry_once_per_reference_key" ON "deposit_entry" ("kind", "reference_kind", "reference_id")
            WHERE "kind" IN (
                    'TOP_UP',
                    'INVOICE_PAYMENT',
                    'TRANSFER_EXCESS',
                    'PAYMENT_REVERSAL',
                    'WITHDRAWAL_HOLD',
                    'WITHDRAWAL_RELEASE'
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "withdrawal"
            ADD CONSTRAINT "withdrawal_account_fk" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "withdrawal"
            ADD CONSTRAINT "withdrawal_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "withdrawal"
            ADD CONSTRAINT "withdrawal_payment_fk" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "withdrawal" DROP CONSTRAINT "withdrawal_payment_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "withdrawal" DROP CONSTRAINT "withdrawal_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "withdrawal" DROP CONSTRAINT "withdrawal_account_fk"
        `);
        await queryRunner.query(`DROP INDEX "public"."deposit_entry_once_per_reference_key"`);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "deposit_entry_once_per_reference_key" ON "deposit_entry" ("kind", "reference_kind", "reference_id")
            WHERE "kind" IN ('TOP_UP', 'INVOICE_PAYMENT', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL')
        `);
        await queryRunner.query(`ALTER TABLE "deposit_entry" DROP CONSTRAINT "deposit_entry_sign_check"`);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry" ADD CONSTRAINT "deposit_entry_sign_check" CHECK (
                "kind" = 'ADJUSTMENT' OR ("kind" = 'INVOICE_PAYMENT' AND "amount" < 0)
                OR ("kind" IN ('TOP_UP', 'REFUND', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL') AND "amount" > 0)
            )
        `);
        await queryRunner.query(`
            DROP INDEX "public"."withdrawal_status_queue_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."withdrawal_account_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."withdrawal_order_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."withdrawal_payment_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "withdrawal"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."bank_account_type"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."withdrawal_source"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."withdrawal_status"
        `);
    }

}
