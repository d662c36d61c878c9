import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Annual linkage-management reports (DOMAIN §8): each compiled report with its parameters, the
 * computed figures, a hash of those figures, and the XLSX and HTML drawn from them.
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
        generated_by  uuid REFERENCES department(id),
        job_id        text,
        generated_at  timestamptz NOT NULL,
        duration_ms   integer NOT NULL
      )`);
    await q.query(`CREATE INDEX annual_report_year_idx ON annual_report (year, as_of, generated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE annual_report`);
  }
}
