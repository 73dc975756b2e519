import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11, after shipment and for staff queues:
 * - `delivery_problem`: a problem with a shipped parcel (one OPEN per order: partial unique
 *   index, which is also the DELIVERY_PROBLEM queue) and its resolution; refunds reference it;
 * - `message.reply_deadline_closed_at`: a reply deadline stops counting when the customer
 *   replies, a newer one is set or the order ends; the REPLY_OVERDUE queue reads the partial
 *   index of the deadlines still counting (CANCELLATION_REQUEST reads the existing partial
 *   `cancellation_request_pending_key`);
 * - an exchange's replacement is inspected again: the item's current inspection names the
 *   exchange (`order_item.inspection_request_id`), its photos carry `attachment.return_request_id`,
 *   and the request keeps the count.
 */
export class DeliveryProblemsQueues1795400200000 implements MigrationInterface {
  name = 'DeliveryProblemsQueues1795400200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."delivery_problem_kind" AS ENUM('LOST', 'RETURNED_TO_SENDER', 'REFUSED', 'DAMAGED', 'WRONG_ITEM')`);
    await queryRunner.query(`CREATE TYPE "public"."delivery_problem_status" AS ENUM('OPEN', 'RESOLVED')`);
    await queryRunner.query(`CREATE TYPE "public"."delivery_problem_resolution" AS ENUM('RESHIP', 'REFUND', 'CLOSE')`);
    await queryRunner.query(`
      CREATE TABLE "delivery_problem" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "order_id" uuid NOT NULL,
        "kind" "public"."delivery_problem_kind" NOT NULL,
        "status" "public"."delivery_problem_status" NOT NULL DEFAULT 'OPEN',
        "note" character varying(2000) NOT NULL,
        "message_id" uuid,
        "tracking_number" character varying(40) NOT NULL,
        "opened_by_role" "public"."actor_role" NOT NULL,
        "opened_by" uuid,
        "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "resolution" "public"."delivery_problem_resolution",
        "resolution_note" character varying(2000),
        "resolved_by" uuid,
        "resolved_at" TIMESTAMP WITH TIME ZONE,
        "refund_amount" bigint,
        "reship_carrier" character varying(20),
        "reship_tracking_number" character varying(40),
        CONSTRAINT "delivery_problem_reship_check" CHECK (("resolution" = 'RESHIP') = ("reship_tracking_number" IS NOT NULL AND "reship_carrier" IS NOT NULL)),
        CONSTRAINT "delivery_problem_refund_check" CHECK (("resolution" = 'REFUND') = ("refund_amount" IS NOT NULL) AND coalesce("refund_amount", 1) > 0),
        CONSTRAINT "delivery_problem_resolution_check" CHECK (
          ("status" = 'OPEN' AND "resolution" IS NULL AND "resolved_at" IS NULL) OR ("status" = 'RESOLVED' AND "resolution" IS NOT NULL AND "resolved_at" IS NOT NULL)
        ),
        CONSTRAINT "PK_bfe627c8042491bf39c455b222a" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(`CREATE INDEX "delivery_problem_order_idx" ON "delivery_problem" ("order_id", "opened_at")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "delivery_problem_open_key" ON "delivery_problem" ("order_id") WHERE "status" = 'OPEN'`);
    await queryRunner.query(
      `ALTER TABLE "delivery_problem" ADD CONSTRAINT "delivery_problem_order_fk" FOREIGN KEY ("order_id") REFERENCES "customer_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TYPE "public"."deposit_reference_kind" ADD VALUE IF NOT EXISTS 'DELIVERY_PROBLEM'`);

    await queryRunner.query(`ALTER TABLE "message" ADD "reply_deadline_closed_at" TIMESTAMP WITH TIME ZONE`);
    // Deadlines already answered, superseded by a later one, or on an order that has ended.
    await queryRunner.query(`
      UPDATE "message" d SET "reply_deadline_closed_at" = coalesce(
        (SELECT min(c."created_at") FROM "message" c
          WHERE c."order_id" = d."order_id" AND c."seq" > d."seq" AND (c."author_side" = 'CUSTOMER' OR c."reply_deadline" IS NOT NULL)),
        (SELECT coalesce(o."completed_at", o."cancelled_at") FROM "customer_order" o WHERE o."id" = d."order_id" AND o."status" IN ('COMPLETED', 'CANCELLED')))
      WHERE d."author_side" = 'STAFF' AND d."reply_deadline" IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX "message_open_reply_deadline_idx" ON "message" ("reply_deadline", "order_id")
      WHERE "author_side" = 'STAFF' AND "reply_deadline" IS NOT NULL AND "reply_deadline_closed_at" IS NULL`);

    await queryRunner.query(`ALTER TABLE "order_item" ADD "inspection_request_id" uuid`);
    await queryRunner.query(`ALTER TABLE "item_return_request" ADD "replacement_received_quantity" integer`);
    await queryRunner.query(`ALTER TABLE "attachment" ADD "return_request_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "attachment" ADD CONSTRAINT "attachment_return_request_fk" FOREIGN KEY ("return_request_id") REFERENCES "item_return_request"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Ledger entries are never changed: a refund that references a delivery problem keeps this migration in place.
    const [used] = await queryRunner.query(`SELECT count(*)::int AS n FROM "deposit_entry" WHERE "reference_kind" = 'DELIVERY_PROBLEM'`);
    if (used.n > 0) throw new Error(`${used.n} deposit entries reference delivery problems: the ledger cannot be rewritten, so this migration cannot be reverted.`);

    await queryRunner.query(`ALTER TABLE "attachment" DROP CONSTRAINT "attachment_return_request_fk"`);
    await queryRunner.query(`ALTER TABLE "attachment" DROP COLUMN "return_request_id"`);
    await queryRunner.query(`ALTER TABLE "item_return_request" DROP COLUMN "replacement_received_quantity"`);
    await queryRunner.query(`ALTER TABLE "order_item" DROP COLUMN "inspection_request_id"`);
    await queryRunner.query(`DROP INDEX "public"."message_open_reply_deadline_idx"`);
    await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "reply_deadline_closed_at"`);

    // PostgreSQL cannot drop an enum value: rebuild the type (and the index on the column) without it.
    await queryRunner.query(`DROP INDEX "public"."deposit_entry_once_per_reference_key"`);
    await queryRunner.query(`ALTER TYPE "public"."deposit_reference_kind" RENAME TO "deposit_reference_kind_old"`);
    await queryRunner.query(`CREATE TYPE "public"."deposit_reference_kind" AS ENUM('ORDER', 'ORDER_ITEM', 'INVOICE', 'PAYMENT', 'CANCELLATION_REQUEST')`);
    await queryRunner.query(
      `ALTER TABLE "deposit_entry" ALTER COLUMN "reference_kind" TYPE "public"."deposit_reference_kind" USING "reference_kind"::text::"public"."deposit_reference_kind"`,
    );
    await queryRunner.query(`DROP TYPE "public"."deposit_reference_kind_old"`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "deposit_entry_once_per_reference_key" ON "deposit_entry" ("kind", "reference_kind", "reference_id")
      WHERE "kind" IN ('TOP_UP', 'INVOICE_PAYMENT', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL')`);

    await queryRunner.query(`ALTER TABLE "delivery_problem" DROP CONSTRAINT "delivery_problem_order_fk"`);
    await queryRunner.query(`DROP TABLE "delivery_problem"`);
    await queryRunner.query(`DROP TYPE "public"."delivery_problem_resolution"`);
    await queryRunner.query(`DROP TYPE "public"."delivery_problem_status"`);
    await queryRunner.query(`DROP TYPE "public"."delivery_problem_kind"`);
  }
}
