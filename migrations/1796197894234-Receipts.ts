import { MigrationInterface, QueryRunner } from "typeorm";

export class Receipts1796197894234 implements MigrationInterface {
    name = 'Receipts1796197894234'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "receipt" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" BIGSERIAL NOT NULL,
                "invoice_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "recipient_name" character varying(100) NOT NULL,
                "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "copies" integer NOT NULL DEFAULT '0',
                "content" jsonb NOT NULL,
                CONSTRAINT "PK_b4b9ec7d164235fbba023da9832" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "receipt_invoice_key" ON "receipt" ("invoice_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "receipt"
            ADD CONSTRAINT "receipt_invoice_fk" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "receipt" DROP CONSTRAINT "receipt_invoice_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."receipt_invoice_key"
        `);
        await queryRunner.query(`
            DROP TABLE "receipt"
        `);
    }

}
