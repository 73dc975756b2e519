import { MigrationInterface, QueryRunner } from "typeorm";

export class Messaging1795325828971 implements MigrationInterface {
    name = 'Messaging1795325828971'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."message_side" AS ENUM('CUSTOMER', 'STAFF')
        `);
        await queryRunner.query(`
            CREATE TABLE "message" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "order_id" uuid NOT NULL,
                "item_id" uuid,
                "author_side" "public"."message_side" NOT NULL,
                "author_id" uuid,
                "author_name" character varying(100) NOT NULL,
                "title" character varying(200) NOT NULL,
                "body" character varying(5000) NOT NULL,
                "ask_seller_before_purchase" boolean NOT NULL DEFAULT false,
                "answered_at" TIMESTAMP WITH TIME ZONE,
                "answer_message_id" uuid,
                "reply_deadline" TIMESTAMP WITH TIME ZONE,
                "read_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_ba01f0a3e0123651915008bc578" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "message_order_seq_idx" ON "message" ("order_id", "seq")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."attachment_purpose" AS ENUM('MESSAGE', 'INSPECTION')
        `);
        await queryRunner.query(`
            CREATE TABLE "attachment" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "order_id" uuid NOT NULL,
                "message_id" uuid,
                "item_id" uuid,
                "purpose" "public"."attachment_purpose" NOT NULL,
                "position" integer NOT NULL DEFAULT '0',
                "storage_key" character varying(100) NOT NULL,
                "content_type" character varying(50) NOT NULL,
                "byte_size" integer NOT NULL,
                "sha256" character(64) NOT NULL,
                "display_name" character varying(200) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "attachment_size_check" CHECK (
                    "byte_size" BETWEEN 1 AND 10485760
                ),
                CONSTRAINT "PK_d2a80c3a8d467f08a750ac4b420" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "attachment_storage_key_key" ON "attachment" ("storage_key")
        `);
        await queryRunner.query(`
            CREATE INDEX "attachment_order_item_idx" ON "attachment" ("order_id", "item_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "attachment_message_idx" ON "attachment" ("message_id", "position")
        `);
        await queryRunner.query(`
            ALTER TABLE "message"
            ADD CONSTRAINT "message_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "message"
            ADD CONSTRAINT "message_item_fk" FOREIGN KEY ("item_id") REFERENCES "order_item"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "attachment"
            ADD CONSTRAINT "attachment_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "attachment"
            ADD CONSTRAINT "attachment_message_fk" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "attachment"
            ADD CONSTRAINT "attachment_item_fk" FOREIGN KEY ("item_id") REFERENCES "order_item"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "attachment" DROP CONSTRAINT "attachment_item_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "attachment" DROP CONSTRAINT "attachment_message_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "attachment" DROP CONSTRAINT "attachment_order_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "message" DROP CONSTRAINT "message_item_fk"
        `);
        await queryRunner.query(`
            ALTER TABLE "message" DROP CONSTRAINT "message_order_fk"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."attachment_message_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."attachment_order_item_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."attachment_storage_key_key"
        `);
        await queryRunner.query(`
            DROP TABLE "attachment"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."attachment_purpose"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."message_order_seq_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "message"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."message_side"
        `);
    }

}
