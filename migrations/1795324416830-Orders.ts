import { MigrationInterface, QueryRunner } from "typeorm";

export class Orders1795324416830 implements MigrationInterface {
    name = 'Orders1795324416830'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."order_status" AS ENUM(
                'SUBMITTED',
                'AWAITING_FIRST_PAYMENT',
                'PURCHASING',
                'AWAITING_ARRIVAL',
                'INSPECTING',
                'AWAITING_SECOND_PAYMENT',
                'PREPARING_SHIPMENT',
                'SHIPPED',
                'COMPLETED',
                'CANCELLED'
            )
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."shipping_priority" AS ENUM('SPEED', 'ECONOMY')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."cancel_reason" AS ENUM(
                'CUSTOMER_REQUEST',
                'ALL_ITEMS_CANCELLED',
                'UNPAID_TIMEOUT',
                'PURCHASE_FAILED',
                'FORWARDING_FAILED',
                'PROHIBITED_ITEM',
                'DUPLICATE_ORDER',
                'OTHER'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "customer_order" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_number" character varying(9) NOT NULL,
                "customer_id" uuid,
                "contact_email" character varying(254) NOT NULL,
                "contact_phone" character varying(20) NOT NULL,
                "status" "public"."order_status" NOT NULL DEFAULT 'SUBMITTED',
                "shipping_priority" "public"."shipping_priority" NOT NULL,
                "cancel_reason" "public"."cancel_reason",
                "cancel_note" character varying(1000),
                "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "quoted_at" TIMESTAMP WITH TIME ZONE,
                "first_paid_at" TIMESTAMP WITH TIME ZONE,
                "purchased_at" TIMESTAMP WITH TIME ZONE,
                "arrived_at" TIMESTAMP WITH TIME ZONE,
                "second_invoiced_at" TIMESTAMP WITH TIME ZONE,
                "second_paid_at" TIMESTAMP WITH TIME ZONE,
                "shipped_at" TIMESTAMP WITH TIME ZONE,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "cancelled_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "delivery_Recipient" character varying(100) NOT NULL,
                "delivery_Postal_code" character varying(8) NOT NULL,
                "delivery_Prefecture" character varying(10) NOT NULL,
                "delivery_City" character varying(100) NOT NULL,
                "delivery_Line1" character varying(200) NOT NULL,
                "delivery_Line2" character varying(200),
                "delivery_Phone" character varying(20) NOT NULL,
                CONSTRAINT "PK_c70aef746523b2c4a0af0945209" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "customer_order_number_key" ON "customer_order" ("order_number")
        `);
        await queryRunner.query(`
            CREATE INDEX "customer_order_status_submitted_idx" ON "customer_order" ("status", "submitted_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "customer_order_customer_submitted_idx" ON "customer_order" ("customer_id", "submitted_at")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."invoice_kind" AS ENUM('FIRST', 'SECOND')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."invoice_status" AS ENUM('OPEN', 'PAID', 'VOID')
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."currency" AS ENUM('JPY', 'CNY')
        `);
        await queryRunner.query(`
            CREATE TABLE "invoice" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "kind" "public"."invoice_kind" NOT NULL,
                "status" "public"."invoice_status" NOT NULL DEFAULT 'OPEN',
                "currency" "public"."currency" NOT NULL DEFAULT 'JPY',
                "lines" jsonb NOT NULL,
                "total" bigint NOT NULL,
                "amount_paid" bigint NOT NULL DEFAULT '0',
                "exchange_rate" numeric(12, 4),
                "pricing" jsonb NOT NULL,
                "revision" integer NOT NULL DEFAULT '1',
                "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "due_at" TIMESTAMP WITH TIME ZONE,
                "paid_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "invoice_amounts_check" CHECK (
                    "total" >= 0
                    AND "amount_paid" >= 0
                ),
                CONSTRAINT "PK_15d25c200d9bcd8a33f698daf18" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "invoice_open_due_idx" ON "invoice" ("status", "due_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "invoice_order_kind_key" ON "invoice" ("order_id", "kind")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."actor_role" AS ENUM('CUSTOMER', 'GUEST', 'STAFF', 'SYSTEM')
        `);
        await queryRunner.query(`
            CREATE TABLE "order_event" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "order_id" uuid NOT NULL,
                "item_id" uuid,
                "type" character varying(50) NOT NULL,
                "actor_role" "public"."actor_role" NOT NULL,
                "actor_id" uuid,
                "actor_name" character varying(100),
                "from_state" character varying(40),
                "to_state" character varying(40),
                "data" jsonb NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_394b0d7613180ebee9028e9aaa1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "order_event_order_idx" ON "order_event" ("order_id", "id")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."item_status" AS ENUM(
                'BEFORE_PAYMENT',
                'PURCHASING',
                'PURCHASED',
                'UNAVAILABLE',
                'ARRIVED',
                'CANCELLED'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "order_item" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "position" integer NOT NULL,
                "product_url" character varying(2000) NOT NULL,
                "title" character varying(200) NOT NULL,
                "options" character varying(300),
                "quantity" integer NOT NULL,
                "note" character varying(1000),
                "status" "public"."item_status" NOT NULL DEFAULT 'BEFORE_PAYMENT',
                "unit_price_cny" bigint,
                "china_shipping_cny" bigint,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "order_item_prices_check" CHECK (
                    "unit_price_cny" >= 0
                    AND "china_shipping_cny" >= 0
                ),
                CONSTRAINT "order_item_quantity_check" CHECK (
                    "quantity" BETWEEN 1 AND 999
                ),
                CONSTRAINT "PK_d01158fe15b1ead5c26fd7f4e90" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "order_item_order_idx" ON "order_item" ("order_id", "position")
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order"
            ADD CONSTRAINT "customer_order_customer_fk" FOREIGN KEY ("customer_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD CONSTRAINT "invoice_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "order_event"
            ADD CONSTRAINT "order_event_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD CONSTRAINT "order_item_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP CONSTRAINT "order_item_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_event" DROP CONSTRAINT "order_event_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP CONSTRAINT "invoice_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order" DROP CONSTRAINT "customer_order_customer_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."order_item_order_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "order_item"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."item_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."order_event_order_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "order_event"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."actor_role"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."invoice_order_kind_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."invoice_open_due_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "invoice"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."currency"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."invoice_status"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."invoice_kind"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."customer_order_customer_submitted_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."customer_order_status_submitted_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."customer_order_number_key"
        `);
        await queryRunner.query(`
            DROP TABLE "customer_order"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."cancel_reason"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."shipping_priority"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."order_status"
        `);
    }

}
