import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed (outbox): one event per registry change (its history entry), written in the
 * change's own transaction. Each event records its transaction id, so a reader only sees events
 * of transactions that can no longer commit behind it (no event is ever skipped).
 */
export class ChangeFeed1795680000000 implements MigrationInterface {
  name = 'ChangeFeed1795680000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_event (
        id         bigserial PRIMARY KEY,
        tx         xid8 NOT NULL DEFAULT pg_current_xact_id(),
        history_id bigint NOT NULL REFERENCES history_entry(id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS change_event`);
  }
}
