import { MigrationInterface, QueryRunner } from "typeorm";

export class Accounts1795323689909 implements MigrationInterface {
    name = 'Accounts1795323689909'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."account_role" AS ENUM('CUSTOMER', 'STAFF', 'ADMIN')
        `);
        await queryRunner.query(`
            CREATE TABLE "account" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "email" character varying(254) NOT NULL,
                "password_hash" character varying(255) NOT NULL,
                "name" character varying(100) NOT NULL,
                "phone" character varying(20) NOT NULL,
                "role" "public"."account_role" NOT NULL DEFAULT 'CUSTOMER',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_54115ee388cdb6d86bb4bf5b2ea" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "account_email_key" ON "account" ("email")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."account_email_key"
        `);
        await queryRunner.query(`
            DROP TABLE "account"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."account_role"
        `);
    }

}
