import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks (a department's system is sent the change feed, signed, in order, retried with backoff) and export files. */
export class Webhooks1795766400000 implements MigrationInterface {
  name = 'Webhooks1795766400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook (
        id                uuid PRIMARY KEY,
        department_id     uuid NOT NULL REFERENCES department(id),
        url               text NOT NULL,
        secret            text NOT NULL,
        active            boolean NOT NULL DEFAULT true,
        cursor            bigint NOT NULL DEFAULT 0,
        failures          integer NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz,
        last_error        text,
        last_delivered_at timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_delivery (
        id             bigserial PRIMARY KEY,
        webhook_id     uuid NOT NULL REFERENCES webhook(id),
        first_event_id bigint NOT NULL,
        last_event_id  bigint NOT NULL,
        events         integer NOT NULL,
        status         text NOT NULL CHECK (status IN ('delivered', 'failed')),
        http_status    integer,
        error          text,
        at             timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_delivery_webhook_idx ON webhook_delivery (webhook_id, id DESC)`);

    // Files an export job produced, for the department to download.
    await q.query(`
      CREATE TABLE export_file (
        id            uuid PRIMARY KEY,
        department_id uuid REFERENCES department(id),
        file_name     text NOT NULL,
        content       bytea NOT NULL,
        rows          integer NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS export_file`);
    await q.query(`DROP TABLE IF EXISTS webhook_delivery`);
    await q.query(`DROP TABLE IF EXISTS webhook`);
  }
}
