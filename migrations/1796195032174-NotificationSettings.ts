import { MigrationInterface, QueryRunner } from "typeorm";

export class NotificationSettings1796195032174 implements MigrationInterface {
    name = 'NotificationSettings1796195032174'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "account"
            ADD "notification_settings" jsonb NOT NULL DEFAULT '{}'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "account" DROP COLUMN "notification_settings"
        `);
    }

}
