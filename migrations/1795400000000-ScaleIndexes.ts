import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for lookups that read the whole table once it is large (issue 16): the seller
 * questions of an item, the staff order list, the customer order list and the status queues
 * with their tie-breaking `id`, the staff search by e-mail and phone, the cancellation counts
 * and the auto-complete sweep.
 *
 * Built with CREATE INDEX CONCURRENTLY, so a deploy does not block writes on a big table; that
 * cannot run inside a transaction, hence `transaction = false` (migrations run in
 * 'each' mode, which honours it). Each statement is safe to run again: an interrupted run
 * leaves an INVALID index behind, which is dropped and built again.
 */
export class ScaleIndexes1795400000000 implements MigrationInterface {
    name = 'ScaleIndexes1795400000000'
    transaction = false as const

    public async up(queryRunner: QueryRunner): Promise<void> {
        await createIndex(queryRunner, "message_item_idx", `"message" ("item_id") WHERE "item_id" IS NOT NULL`);
        await createIndex(queryRunner, "customer_order_submitted_idx", `"customer_order" ("submitted_at", "id")`);
        await createIndex(queryRunner, "customer_order_customer_submitted_id_idx", `"customer_order" ("customer_id", "submitted_at", "id")`);
        await dropIndex(queryRunner, "customer_order_customer_submitted_idx");
        await createIndex(queryRunner, "customer_order_status_submitted_id_idx", `"customer_order" ("status", "submitted_at", "id")`);
        await dropIndex(queryRunner, "customer_order_status_submitted_idx");
        await createIndex(queryRunner, "customer_order_contact_email_idx", `"customer_order" ("contact_email")`);
        await createIndex(queryRunner, "customer_order_contact_phone_idx", `"customer_order" ("contact_phone")`);
        await createIndex(queryRunner, "customer_order_cancelled_idx", `"customer_order" ("cancelled_at", "cancel_reason") WHERE "status" = 'CANCELLED'`);
        await createIndex(queryRunner, "customer_order_shipped_idx", `"customer_order" ("shipped_at") WHERE "status" = 'SHIPPED'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await dropIndex(queryRunner, "customer_order_shipped_idx");
        await dropIndex(queryRunner, "customer_order_cancelled_idx");
        await dropIndex(queryRunner, "customer_order_contact_phone_idx");
        await dropIndex(queryRunner, "customer_order_contact_email_idx");
        await createIndex(queryRunner, "customer_order_status_submitted_idx", `"customer_order" ("status", "submitted_at")`);
        await dropIndex(queryRunner, "customer_order_status_submitted_id_idx");
        await createIndex(queryRunner, "customer_order_customer_submitted_idx", `"customer_order" ("customer_id", "submitted_at")`);
        await dropIndex(queryRunner, "customer_order_customer_submitted_id_idx");
        await dropIndex(queryRunner, "customer_order_submitted_idx");
        await dropIndex(queryRunner, "message_item_idx");
    }
}

/**
 * CONCURRENTLY only outside a transaction: `up` always is; `migration:revert` runs `down` in
 * one unless given `-t none` (TypeORM ignores `transaction = false` there), and then a plain
 * build or drop is the only kind that works.
 */
function concurrently(queryRunner: QueryRunner): string {
    return queryRunner.isTransactionActive ? "" : "CONCURRENTLY";
}

async function createIndex(queryRunner: QueryRunner, name: string, definition: string): Promise<void> {
    const [leftover] = await queryRunner.query(
        `SELECT NOT i.indisvalid AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
        [name],
    );
    if (leftover?.invalid) await dropIndex(queryRunner, name);
    await queryRunner.query(`CREATE INDEX ${concurrently(queryRunner)} IF NOT EXISTS "${name}" ON ${definition}`);
}

async function dropIndex(queryRunner: QueryRunner, name: string): Promise<void> {
    await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)} IF EXISTS "public"."${name}"`);
}
