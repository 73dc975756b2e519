import { MigrationInterface, QueryRunner } from "typeorm";

export class ExchangesCombinedShipping1795327732550 implements MigrationInterface {
    name = 'ExchangesCombinedShipping1795327732550'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."item_exchange_kind" AS ENUM('EXCHANGE', 'RETURN')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."item_exchange_status" AS ENUM(
                'REQUESTED',
                'SELLER_ACCEPTED',
                'SELLER_REFUSED',
                'COMPLETED'
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."local_shipping_payer" AS ENUM('CUSTOMER', 'OPERATOR')
        `);
        await queryRunner.query(`
            CREATE TABLE "item_return_request" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "item_id" uuid NOT NULL,
                "kind" "public"."item_exchange_kind" NOT NULL,
                "status" "public"."item_exchange_status" NOT NULL DEFAULT 'REQUESTED',
                "reason" character varying(2000) NOT NULL,
                "message_id" uuid NOT NULL,
                "requested_by" uuid,
                "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "decided_by" uuid,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "decision_note" character varying(1000),
                "local_shipping" bigint,
                "local_shipping_currency" "public"."currency",
                "local_shipping_jpy" bigint NOT NULL DEFAULT '0',
                "charge_to" "public"."local_shipping_payer",
                "refunded" bigint NOT NULL DEFAULT '0',
                "withheld" bigint NOT NULL DEFAULT '0',
                "second_invoice_charge" bigint NOT NULL DEFAULT '0',
                "charged_invoice_id" uuid,
                "completed_by" uuid,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "completion_note" character varying(1000),
                CONSTRAINT "item_return_request_amounts_check" CHECK (
                    "local_shipping_jpy" >= 0
                    AND "refunded" >= 0
                    AND "withheld" >= 0
                    AND "second_invoice_charge" >= 0
                ),
                CONSTRAINT "PK_e8359958ca7d4953b9654d6f0a0" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "item_return_request_open_key" ON "item_return_request" ("item_id")
            WHERE "status" IN ('REQUESTED', 'SELLER_ACCEPTED')
        `);
        await queryRunner.query(`
            CREATE INDEX "item_return_request_order_idx" ON "item_return_request" ("order_id", "status")
        `);
        await queryRunner.query(`
            CREATE INDEX "item_return_request_item_idx" ON "item_return_request" ("item_id", "requested_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "shipment_group" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "method" character varying(10) NOT NULL,
                "weight_grams" integer NOT NULL,
                "length_mm" integer NOT NULL,
                "width_mm" integer NOT NULL,
                "height_mm" integer NOT NULL,
                "chargeable_grams" integer NOT NULL,
                "price" bigint NOT NULL,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "carrier" character varying(20),
                "tracking_number" character varying(40),
                "shipped_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "shipment_group_parcel_check" CHECK (
                    "weight_grams" > 0
                    AND "length_mm" > 0
                    AND "width_mm" > 0
                    AND "height_mm" > 0
                    AND "price" > 0
                ),
                CONSTRAINT "PK_078c84c0699504161656870e0b2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "shipment_group_order" (
                "group_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "units" integer NOT NULL,
                "share" bigint NOT NULL,
                CONSTRAINT "shipment_group_order_share_check" CHECK (
                    "share" >= 0
                    AND "units" > 0
                ),
                CONSTRAINT "PK_66661d879445d0944a35ad3b44e" PRIMARY KEY ("group_id", "order_id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "shipment_group_order_order_key" ON "shipment_group_order" ("order_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request"
            ADD CONSTRAINT "item_return_request_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request"
            ADD CONSTRAINT "item_return_request_item_fk" FOREIGN KEY ("item_id") REFERENCES "order_item"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request"
            ADD CONSTRAINT "item_return_request_message_fk" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request"
            ADD CONSTRAINT "item_return_request_invoice_fk" FOREIGN KEY ("charged_invoice_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "shipment_group_order"
            ADD CONSTRAINT "shipment_group_order_group_fk" FOREIGN KEY ("group_id") REFERENCES "shipment_group"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "shipment_group_order"
            ADD CONSTRAINT "shipment_group_order_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "shipment_group_order" DROP CONSTRAINT "shipment_group_order_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "shipment_group_order" DROP CONSTRAINT "shipment_group_order_group_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request" DROP CONSTRAINT "item_return_request_invoice_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request" DROP CONSTRAINT "item_return_request_message_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request" DROP CONSTRAINT "item_return_request_item_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "item_return_request" DROP CONSTRAINT "item_return_request_order_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."shipment_group_order_order_key"
        `);
        await queryRunner.query(`
            DROP TABLE "shipment_group_order"
        `);
        await queryRunner.query(`
            DROP TABLE "shipment_group"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."item_return_request_item_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."item_return_request_order_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."item_return_request_open_key"
        `);
        await queryRunner.query(`
            DROP TABLE "item_return_request"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."local_shipping_payer"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."item_exchange_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."item_exchange_kind"
        `);
    }

}
