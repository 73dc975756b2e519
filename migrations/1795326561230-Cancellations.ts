import { MigrationInterface, QueryRunner } from "typeorm";

export class Cancellations1795326561230 implements MigrationInterface {
    name = 'Cancellations1795326561230'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."cancellation_request_status" AS ENUM('PENDING', 'APPROVED', 'REJECTED')
        `);
        await queryRunner.query(`
            CREATE TABLE "cancellation_request" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "item_ids" uuid array,
                "reason" character varying(1000) NOT NULL,
                "status" "public"."cancellation_request_status" NOT NULL DEFAULT 'PENDING',
                "requested_by" uuid,
                "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "decided_by" uuid,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "decision_note" character varying(1000),
                "refunded" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_d316fe703bae35f573e729cbe18" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "cancellation_request_pending_key" ON "cancellation_request" ("order_id")
            WHERE "status" = 'PENDING'
        `);
        await queryRunner.query(`
            ALTER TABLE "cancellation_request"
            ADD CONSTRAINT "cancellation_request_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "cancellation_request" DROP CONSTRAINT "cancellation_request_order_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."cancellation_request_pending_key"
        `);
        await queryRunner.query(`
            DROP TABLE "cancellation_request"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."cancellation_request_status"
        `);
    }

}
