import { MigrationInterface, QueryRunner } from "typeorm";

export class AccountCare1796195917136 implements MigrationInterface {
    name = 'AccountCare1796195917136'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "password_reset_token" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "account_id" uuid NOT NULL,
                "token_hash" character(64) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "ended_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_838af121380dfe3a6330e04f5bb" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "password_reset_token_account_idx" ON "password_reset_token" ("account_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "password_reset_token_hash_key" ON "password_reset_token" ("token_hash")
        `);
        await queryRunner.query(`
            ALTER TABLE "account"
            ADD "credentials_changed_at" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "account"
            ADD "default_delivery_address" jsonb
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "account" DROP COLUMN "default_delivery_address"
        `);
        await queryRunner.query(`
            ALTER TABLE "account" DROP COLUMN "credentials_changed_at"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."password_reset_token_hash_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."password_reset_token_account_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "password_reset_token"
        `);
    }

}
