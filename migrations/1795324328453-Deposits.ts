import { MigrationInterface, QueryRunner } from "typeorm";

export class Deposits1795324328453 implements MigrationInterface {
    name = 'Deposits1795324328453'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "idempotency_key" (
                "scope" character varying(100) NOT NULL,
                "operation" character varying(64) NOT NULL,
                "key" character varying(100) NOT NULL,
                "request_hash" character(64) NOT NULL,
                "response" jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_f24e4ee3edbf08e05e90db29fa3" PRIMARY KEY ("scope", "operation", "key")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "deposit_account" (
                "account_id" uuid NOT NULL,
                "balance" bigint NOT NULL DEFAULT '0',
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "deposit_account_balance_check" CHECK ("balance" >= 0),
                CONSTRAINT "PK_408c3f0b11c625bcd8ec85681b7" PRIMARY KEY ("account_id")
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."deposit_entry_kind" AS ENUM(
                'TOP_UP',
                'INVOICE_PAYMENT',
                'REFUND',
                'ADJUSTMENT',
                'TRANSFER_EXCESS',
                'PAYMENT_REVERSAL'
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."deposit_reference_kind" AS ENUM(
                'ORDER',
                'ORDER_ITEM',
                'INVOICE',
                'PAYMENT',
                'CANCELLATION_REQUEST'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "deposit_entry" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "account_id" uuid NOT NULL,
                "kind" "public"."deposit_entry_kind" NOT NULL,
                "amount" bigint NOT NULL,
                "balance_after" bigint NOT NULL,
                "reference_kind" "public"."deposit_reference_kind",
                "reference_id" uuid,
                "actor_id" uuid,
                "note" character varying(500),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "deposit_entry_note_check" CHECK (
                    "kind" <> 'ADJUSTMENT'
                    OR btrim(coalesce("note", '')) <> ''
                ),
                CONSTRAINT "deposit_entry_reference_check" CHECK (
                    ("reference_kind" IS NULL) = ("reference_id" IS NULL)
                    AND (
                        "kind" = 'ADJUSTMENT'
                        OR "reference_id" IS NOT NULL
                    )
                ),
                CONSTRAINT "deposit_entry_sign_check" CHECK (
                    "kind" = 'ADJUSTMENT'
                    OR (
                        "kind" = 'INVOICE_PAYMENT'
                        AND "amount" < 0
                    )
                    OR (
                        "kind" IN (
                            'TOP_UP',
                            'REFUND',
                            'TRANSFER_EXCESS',
                            'PAYMENT_REVERSAL'
                        )
                        AND "amount" > 0
                    )
                ),
                CONSTRAINT "deposit_entry_balance_after_check" CHECK ("balance_after" >= 0),
                CONSTRAINT "deposit_entry_amount_check" CHECK ("amount" <> 0),
                CONSTRAINT "PK_a488b527254001f78ba186fdb4f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "deposit_entry_once_per_reference_key" ON "deposit_entry" ("kind", "reference_kind", "reference_id")
            WHERE "kind" IN (
                    'TOP_UP',
                    'INVOICE_PAYMENT',
                    'TRANSFER_EXCESS',
                    'PAYMENT_REVERSAL'
                )
        `);
        await queryRunner.query(`
            CREATE INDEX "deposit_entry_account_idx" ON "deposit_entry" ("account_id", "id")
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_account"
            ADD CONSTRAINT "FK_408c3f0b11c625bcd8ec85681b7" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry"
            ADD CONSTRAINT "FK_661ebb4842ff63e5c76f408972c" FOREIGN KEY ("account_id") REFERENCES "deposit_account"("account_id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry"
            ADD CONSTRAINT "FK_8ee01dc4c444fb277d2901cd522" FOREIGN KEY ("actor_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);

        // Hand-written (TypeORM does not model triggers). See docs/deposits.md.

        // Append-only tables refuse UPDATE, DELETE and TRUNCATE. Generic: reusable for other ledgers.
        await queryRunner.query(`
            CREATE FUNCTION "append_only_refuse"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "deposit_entry_append_only" BEFORE UPDATE OR DELETE ON "deposit_entry"
            FOR EACH ROW EXECUTE FUNCTION "append_only_refuse"()
        `);
        await queryRunner.query(`
            CREATE TRIGGER "deposit_entry_no_truncate" BEFORE TRUNCATE ON "deposit_entry"
            FOR EACH STATEMENT EXECUTE FUNCTION "append_only_refuse"()
        `);

        // Each entry continues its customer's chain: previous balance_after + amount = balance_after.
        // Postings for one customer are serialised by the deposit_account row lock, so the
        // previous entry is committed (and visible) by the time the next one is inserted.
        await queryRunner.query(`
            CREATE FUNCTION "deposit_entry_check_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                previous bigint;
            BEGIN
                SELECT "balance_after" INTO previous FROM "deposit_entry"
                    WHERE "account_id" = NEW."account_id" AND "id" < NEW."id"
                    ORDER BY "id" DESC LIMIT 1;
                IF COALESCE(previous, 0) + NEW."amount" <> NEW."balance_after" THEN
                    RAISE EXCEPTION 'deposit entry breaks the ledger of %: % % = % expected, % given',
                        NEW."account_id", COALESCE(previous, 0), NEW."amount", COALESCE(previous, 0) + NEW."amount", NEW."balance_after"
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'deposit_entry_chain';
                END IF;
                RETURN NULL;
            END
            $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "deposit_entry_chain" AFTER INSERT ON "deposit_entry"
            FOR EACH ROW EXECUTE FUNCTION "deposit_entry_check_chain"()
        `);

        // At commit, a customer's balance equals the last balance_after of their ledger (0 if
        // none): the balance cannot move without an entry, nor an entry be added without it.
        await queryRunner.query(`
            CREATE FUNCTION "deposit_check_in_step"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                account_balance bigint;
                ledger_balance bigint;
            BEGIN
                SELECT "balance" INTO account_balance FROM "deposit_account" WHERE "account_id" = NEW."account_id";
                SELECT "balance_after" INTO ledger_balance FROM "deposit_entry"
                    WHERE "account_id" = NEW."account_id" ORDER BY "id" DESC LIMIT 1;
                IF account_balance IS DISTINCT FROM COALESCE(ledger_balance, 0) THEN
                    RAISE EXCEPTION 'deposit balance of % is % but its ledger ends at %',
                        NEW."account_id", account_balance, COALESCE(ledger_balance, 0)
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'deposit_ledger_in_step';
                END IF;
                RETURN NULL;
            END
            $$
        `);
        await queryRunner.query(`
            CREATE CONSTRAINT TRIGGER "deposit_account_in_step" AFTER INSERT OR UPDATE ON "deposit_account"
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION "deposit_check_in_step"()
        `);
        await queryRunner.query(`
            CREATE CONSTRAINT TRIGGER "deposit_entry_in_step" AFTER INSERT ON "deposit_entry"
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION "deposit_check_in_step"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TRIGGER "deposit_entry_in_step" ON "deposit_entry"
        `);
        await queryRunner.query(`
            DROP TRIGGER "deposit_account_in_step" ON "deposit_account"
        `);
        await queryRunner.query(`
            DROP FUNCTION "deposit_check_in_step"()
        `);
        await queryRunner.query(`
            DROP TRIGGER "deposit_entry_chain" ON "deposit_entry"
        `);
        await queryRunner.query(`
            DROP FUNCTION "deposit_entry_check_chain"()
        `);
        await queryRunner.query(`
            DROP TRIGGER "deposit_entry_no_truncate" ON "deposit_entry"
        `);
        await queryRunner.query(`
            DROP TRIGGER "deposit_entry_append_only" ON "deposit_entry"
        `);
        await queryRunner.query(`
            DROP FUNCTION "append_only_refuse"()
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry" DROP CONSTRAINT "FK_8ee01dc4c444fb277d2901cd522"
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_entry" DROP CONSTRAINT "FK_661ebb4842ff63e5c76f408972c"
        `);
        await queryRunner.query(`
            ALTER TABLE "deposit_account" DROP CONSTRAINT "FK_408c3f0b11c625bcd8ec85681b7"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."deposit_entry_account_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."deposit_entry_once_per_reference_key"
        `);
        await queryRunner.query(`
            DROP TABLE "deposit_entry"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."deposit_reference_kind"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."deposit_entry_kind"
        `);
        await queryRunner.query(`
            DROP TABLE "deposit_account"
        `);
        await queryRunner.query(`
            DROP TABLE "idempotency_key"
        `);
    }

}
