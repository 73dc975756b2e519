import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The deposit ledger's new kinds (WITHDRAWAL_HOLD −, WITHDRAWAL_RELEASE +) and references
 * (WITHDRAWAL, REFUND). Alone in its migration: PostgreSQL lets a new enum value be used only
 * after the transaction that added it commits, and the next migration (Withdrawals) uses them.
 */
export class WithdrawalLedgerKinds1796196574771 implements MigrationInterface {
    name = 'WithdrawalLedgerKinds1796196574771'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TYPE "public"."deposit_entry_kind" ADD VALUE IF NOT EXISTS 'WITHDRAWAL_HOLD'`);
        await queryRunner.query(`ALTER TYPE "public"."deposit_entry_kind" ADD VALUE IF NOT EXISTS 'WITHDRAWAL_RELEASE'`);
        await queryRunner.query(`ALTER TYPE "public"."deposit_reference_kind" ADD VALUE IF NOT EXISTS 'WITHDRAWAL'`);
        await queryRunner.query(`ALTER TYPE "public"."deposit_reference_kind" ADD VALUE IF NOT EXISTS 'REFUND'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Enum values cannot be dropped: the types are rebuilt without them (no entry may use them).
        await queryRunner.query(`DROP INDEX "public"."deposit_entry_once_per_reference_key"`);
        await queryRunner.query(`ALTER TABLE "deposit_entry" DROP CONSTRAINT "deposit_entry_sign_check"`);
        await queryRunner.query(`ALTER TYPE "public"."deposit_reference_kind" RENAME TO "deposit_reference_kind_old"`);
        await queryRunner.query(`CREATE TYPE "public"."deposit_reference_kind" AS ENUM('ORDER', 'ORDER_ITEM', 'INVOICE', 'PAYMENT', 'CANCELLATION_REQUEST', 'DELIVERY_PROBLEM')`);
        await queryRunner.query(`ALTER TABLE "deposit_entry" ALTER COLUMN "reference_kind" TYPE "public"."deposit_reference_kind" USING "reference_kind"::"text"::"public"."deposit_reference_kind"`);
        await queryRunner.query(`DROP TYPE "public"."deposit_reference_kind_old"`);
        await queryRunner.query(`ALTER TYPE "public"."deposit_entry_kind" RENAME TO "deposit_entry_kind_old"`);
        await queryRunner.query(`CREATE TYPE "public"."deposit_entry_kind" AS ENUM('TOP_UP', 'INVOICE_PAYMENT', 'REFUND', 'ADJUSTMENT', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL')`);
        await queryRunner.query(`ALTER TABLE "deposit_entry" ALTER COLUMN "kind" TYPE "public"."deposit_entry_kind" USING "kind"::"text"::"public"."deposit_entry_kind"`);
        await queryRunner.query(`DROP TYPE "public"."deposit_entry_kind_old"`);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry" ADD CONSTRAINT "deposit_entry_sign_check" CHECK (
                "kind" = 'ADJUSTMENT' OR ("kind" = 'INVOICE_PAYMENT' AND "amount" < 0)
                OR ("kind" IN ('TOP_UP', 'REFUND', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL') AND "amount" > 0)
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "deposit_entry_once_per_reference_key" ON "deposit_entry" ("kind", "reference_kind", "reference_id")
            WHERE "kind" IN ('TOP_UP', 'INVOICE_PAYMENT', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL')
        `);
    }
}
