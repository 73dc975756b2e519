import { MigrationInterface, QueryRunner } from "typeorm";

export class Warehouse1795326320205 implements MigrationInterface {
    name = 'Warehouse1795326320205'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "arrival_report" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "comment" character varying(300),
                "published" boolean NOT NULL DEFAULT false,
                "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "UQ_e40cf9ef2110ace0a93724f9605" UNIQUE ("order_id"),
                CONSTRAINT "REL_e40cf9ef2110ace0a93724f960" UNIQUE ("order_id"),
                CONSTRAINT "PK_5427d15734aad072cf63494c725" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "arrival_report_published_idx" ON "arrival_report" ("published", "reported_at")
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order"
            ADD "shipment_carrier" character varying(20)
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order"
            ADD "tracking_number" character varying(40)
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD "amount_refunded" bigint NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD "purchased_quantity" integer
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD "received_quantity" integer
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD "inspection_note" character varying(2000)
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD "inspected_at" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice"
            ADD CONSTRAINT "invoice_refund_check" CHECK (
                    "amount_refunded" BETWEEN 0 AND "amount_paid"
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD CONSTRAINT "order_item_received_check" CHECK ("received_quantity" >= 0)
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item"
            ADD CONSTRAINT "order_item_purchased_check" CHECK (
                    "purchased_quantity" BETWEEN 1 AND "quantity"
                )
        `);
        await queryRunner.query(`
            ALTER TABLE "arrival_report"
            ADD CONSTRAINT "arrival_report_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "arrival_report" DROP CONSTRAINT "arrival_report_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP CONSTRAINT "order_item_purchased_check"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP CONSTRAINT "order_item_received_check"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP CONSTRAINT "invoice_refund_check"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP COLUMN "inspected_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP COLUMN "inspection_note"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP COLUMN "received_quantity"
        `);
        await queryRunner.query(`
            ALTER TABLE "order_item" DROP COLUMN "purchased_quantity"
        `);
        await queryRunner.query(`
            ALTER TABLE "invoice" DROP COLUMN "amount_refunded"
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order" DROP COLUMN "tracking_number"
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order" DROP COLUMN "shipment_carrier"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."arrival_report_published_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "arrival_report"
        `);

    }

}
