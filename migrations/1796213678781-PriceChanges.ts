import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Price changes after the first payment: the price_change table, ADDITIONAL invoices, the
 * PRICE_CHANGE ledger reference and cancel reason, and the item's refunded price falls. The
 * invoice indexes for several ADDITIONAL invoices per order follow in PriceChangeInvoiceIndexes
 * (built CONCURRENTLY, outside a transaction). Enum values are only added: PostgreSQL cannot
 * remove one, so `down` leaves them.
 */
export class PriceChanges1796213678781 implements MigrationInterface {
    name = 'PriceChanges1796213678781'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."price_change_status" AS ENUM(
                'AWAITING_RESPONSE',
                'ACCEPTED',
                'APPLIED',
                'DECLINED',
                'WITHDRAWN'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "price_change" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" BIGSERIAL NOT NULL,
                "order_id" uuid NOT NULL,
                "item_id" uuid NOT NULL,
                "invoice_id" uuid,
                "status" "public"."price_change_status" NOT NULL,
                "quantity" integer NOT NULL,
                "unit_price_before" bigint NOT NULL,
                "unit_price_after" bigint NOT NULL,
                "china_shipping_before" bigint NOT NULL,
                "china_shipping_after" bigint NOT NULL,
                "difference" bigint NOT NULL,
                "note" character varying(1000) NOT NULL,
                "due_at" TIMESTAMP WITH TIME ZONE,
                "created_by" uuid NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "decided_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "price_change_rise_check" CHECK (
                    ("difference" > 0) = ("invoice_id" IS NOT NULL)
                    AND ("difference" > 0) = ("due_at" IS NOT NULL)
                ),
                CONSTRAINT "price_change_prices_check" CHECK (
                    "unit_price_before" > 0
                    AND "unit_price_after" > 0
                    AND "china_shipping_before" >= 0
                    AND "china_shipping_after" >= 0
                ),
                CONSTRAINT "PK_bd582fe9e20930d358a85b18d49" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "price_change_invoice_idx" ON "price_change" ("invoice_id")
            WHERE "invoice_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "price_change_pending_due_idx" ON "price_change" ("due_at")
            WHERE "status" IN ('AWAITING_RESPONSE', 'ACCEPTED')
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "price_change_pending_item_key" ON "price_change" ("item_id")
            WHERE "status" IN ('AWAITING_RESPONSE', 'ACCEPTED')
        `);
        await queryRunner.query(`
            CREATE INDEX "price_change_order_idx" ON "price_change" ("order_id", "seq")
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD "price_fall_refunded" bigint NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TYPE "public"."deposit_reference_kind"
            ADD VALUE 'PRICE_CHANGE'
        `);
        await queryRunner.query(`
            ALTER TYPE "public"."cancel_reason"
            ADD VALUE 'PRICE_CHANGE_DECLINED'
        `);
        await queryRunner.query(`
            ALTER TYPE "public"."invoice_kind"
            ADD VALUE 'ADDITIONAL'
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD CONSTRAINT "order_item_price_fall_check" CHECK ("price_fall_refunded" >= 0) NOT VALID
        `);
        await queryRunner.query(`
            ALTER TABLE "price_change"
            ADD CONSTRAINT "price_change_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "price_change"
            ADD CONSTRAINT "price_change_item_fk" FOREIGN KEY ("item_id") REFERENCES "order_item"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "price_change"
            ADD CONSTRAINT "price_change_invoice_fk" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        // NOT VALID above takes no long lock on a big table; every row has the default 0.
        await queryRunner.query(`ALTER TABLE "order_item" VALIDATE CONSTRAINT "order_item_price_fall_check"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "order_item" DROP CONSTRAINT "order_item_price_fall_check"`);
        await queryRunner.query(`ALTER TABLE "order_item" DROP COLUMN "price_fall_refunded"`);
        await queryRunner.query(`DROP TABLE "price_change"`);
        await queryRunner.query(`DROP TYPE "public"."price_change_status"`);
    }
}
