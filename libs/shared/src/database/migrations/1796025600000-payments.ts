import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Payments made to a project (拨付), by stage of its fund's plan; each one passes a credit review first. */
export class Payments1796025600000 implements MigrationInterface {
  name = 'Payments1796025600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE project_payment (
        id            uuid PRIMARY KEY,
        project_id    uuid NOT NULL REFERENCES project(id),
        stage         text NOT NULL,
        amount_fen    bigint NOT NULL CHECK (amount_fen > 0),
        paid_on       date NOT NULL,
        department_id uuid NOT NULL REFERENCES department(id),
        reason        text NOT NULL DEFAULT '',
        recorded_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX project_payment_project_idx ON project_payment (project_id, paid_on)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE project_payment`);
  }
}
