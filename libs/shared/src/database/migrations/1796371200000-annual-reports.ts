import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Annual linkage-management reports (DOMAIN §8): each compiled report with its parameters, the
 * computed figures, a hash of those figures, and the files drawn from them; and the kind of a
 * follow-up task's progress entry (a note, or the task closed as done or cancelled).
 */
export class AnnualReports1796371200000 implements MigrationInterface {
  name = 'AnnualReports1796371200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE annual_report (
        id            uuid PRIMARY KEY,
        year          integer NOT NULL CHECK (year BETWEEN 1949 AND 2200),
        as_of         date NOT NULL,
        params        jsonb NOT NULL,
        content_hash  char(64) NOT NULL,
        data          jsonb NOT NULL,
        xlsx          bytea NOT NULL,
        html          text NOT NULL,
        pdf           bytea,
        generated_by  uuid REFERENCES department(id),
        job_id        text,
        generated_at  timestamptz NOT NULL,
        duration_ms   integer NOT NULL
      )`);
    await q.query(`CREATE INDEX annual_report_year_idx ON annual_report (year, as_of, generated_at)`);
    // A task's closing is a kind of progress entry, not a note that happens to start with "[done]".
    await q.query(`ALTER TABLE follow_up_progress ADD COLUMN kind text NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'done', 'cancelled'))`);
    await q.query(`UPDATE follow_up_progress SET kind = 'done' WHERE note LIKE '[done] %'`);
    await q.query(`UPDATE follow_up_progress SET kind = 'cancelled' WHERE note LIKE '[cancelled] %'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE follow_up_progress DROP COLUMN kind`);
    await q.query(`DROP TABLE annual_report`);
  }
}
