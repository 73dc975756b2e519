import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Issue 12: in-app notifications, outgoing mail, and the outbox. Every timeline event gets an
 * outbox row and a NOTIFY on channel `order_event` from a trigger, in the transaction that
 * records the event: PostgreSQL delivers a NOTIFY only when that transaction commits, and the
 * outbox row outlives a crash right after the commit. Each new notification NOTIFYs
 * `notification` likewise (live `notificationAdded`).
 */
export class Notifications1796194610361 implements MigrationInterface {
    name = 'Notifications1796194610361'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "notification" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "account_id" uuid NOT NULL,
                "order_id" uuid NOT NULL,
                "event_id" bigint NOT NULL,
                "kind" character varying(40) NOT NULL,
                "title" character varying(200) NOT NULL,
                "body" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "read_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_705b6c7cdf9b2c2ff7ac7872cb7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "notification_event_account_key" ON "notification" ("event_id", "account_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "notification_unread_idx" ON "notification" ("account_id")
            WHERE "read_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "notification_account_idx" ON "notification" ("account_id", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "outbox" (
                "event_id" bigint NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_cc0c9e40998e45ecfc5e313429d" PRIMARY KEY ("event_id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "outgoing_mail" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "event_id" bigint,
                "account_id" uuid,
                "recipient" character varying(320) NOT NULL,
                "kind" character varying(40) NOT NULL,
                "subject" character varying(300) NOT NULL,
                "text" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "sent_at" TIMESTAMP WITH TIME ZONE,
                "message_id" character varying(200),
                CONSTRAINT "PK_ed85381cac829352bf9e8238ff8" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "outgoing_mail_unsent_idx" ON "outgoing_mail" ("created_at")
            WHERE "sent_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "outgoing_mail_event_key" ON "outgoing_mail" ("event_id", "recipient", "kind")
        `);
        await queryRunner.query(`
            CREATE FUNCTION "order_event_announce"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO "outbox" ("event_id") VALUES (NEW."id");
                PERFORM pg_notify('order_event', json_build_object(
                    'eventId', NEW."id"::text, 'orderId', NEW."order_id", 'type', NEW."type",
                    'customerId', (SELECT "customer_id" FROM "customer_order" WHERE "id" = NEW."order_id"),
                    'messageId', NEW."data"->>'messageId')::text);
                RETURN NULL;
            END $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "order_event_announce" AFTER INSERT ON "order_event" FOR EACH ROW EXECUTE FUNCTION "order_event_announce"()
        `);
        await queryRunner.query(`
            CREATE FUNCTION "notification_announce"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('notification', json_build_object('notificationId', NEW."id"::text, 'accountId', NEW."account_id")::text);
                RETURN NULL;
            END $$
        `);
        await queryRunner.query(`
            CREATE TRIGGER "notification_announce" AFTER INSERT ON "notification" FOR EACH ROW EXECUTE FUNCTION "notification_announce"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "notification_announce" ON "notification"`);
        await queryRunner.query(`DROP FUNCTION "notification_announce"()`);
        await queryRunner.query(`DROP TRIGGER "order_event_announce" ON "order_event"`);
        await queryRunner.query(`DROP FUNCTION "order_event_announce"()`);
        await queryRunner.query(`
            DROP INDEX "public"."outgoing_mail_event_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."outgoing_mail_unsent_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "outgoing_mail"
        `);
        await queryRunner.query(`
            DROP TABLE "outbox"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."notification_account_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."notification_unread_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."notification_event_account_key"
        `);
        await queryRunner.query(`
            DROP TABLE "notification"
        `);
    }

}
