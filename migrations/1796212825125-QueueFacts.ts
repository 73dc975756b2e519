import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The UNANSWERED_MESSAGE and SELLER_QUESTION queues as facts on the order row (issue 16),
 * kept by messaging (message.service.ts). Nullable columns without a default: adding them
 * rewrites nothing. QueueFactsBackfill fills them for existing orders, QueueFactIndexes builds
 * their partial indexes (and the unread and reply-deadline ones on `message`) concurrently.
 */
export class QueueFacts1796212825125 implements MigrationInterface {
    name = 'QueueFacts1796212825125'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "customer_order"
            ADD "awaiting_reply_since" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order"
            ADD "seller_question_since" TIMESTAMP WITH TIME ZONE
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "customer_order" DROP COLUMN "seller_question_since"
        `);
        await queryRunner.query(`
            ALTER TABLE "customer_order" DROP COLUMN "awaiting_reply_since"
        `);
    }

}
