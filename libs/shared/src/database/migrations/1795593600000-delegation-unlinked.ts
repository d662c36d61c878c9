import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Third-party agencies acting for a department, and department records the registry could not link. */
export class DelegationUnlinked1795593600000 implements MigrationInterface {
  name = 'DelegationUnlinked1795593600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE department DROP CONSTRAINT department_linkage_role_check`);
    await q.query(`ALTER TABLE department ADD CONSTRAINT department_linkage_role_check CHECK (linkage_role IN
      ('LEADING', 'PARTICIPATING', 'WORKING_GROUP', 'INFORMATION_CENTER', 'LEADING_GROUP_OFFICE', 'AGENCY', 'OTHER'))`);

    // A department delegates project management to a third-party agency (000 §五(三)), for a period.
    await q.query(`
      CREATE TABLE delegation (
        id                      uuid PRIMARY KEY,
        agency_department_id    uuid NOT NULL REFERENCES department(id),
        principal_department_id uuid NOT NULL REFERENCES department(id),
        valid_from              date NOT NULL,
        valid_until             date,
        revoked_at              timestamptz,
        created_at              timestamptz NOT NULL DEFAULT now(),
        CHECK (agency_department_id <> principal_department_id),
        CHECK (valid_until IS NULL OR valid_until >= valid_from)
      )`);
    await q.query(`CREATE INDEX delegation_agency_idx ON delegation (agency_department_id, principal_department_id)`);

    // A department's record that matched no project, or several: listed for the department, never guessed.
    await q.query(`
      CREATE TABLE unlinked_record (
        department_id uuid NOT NULL REFERENCES department(id),
        local_id      text NOT NULL,
        reason        text NOT NULL CHECK (reason IN ('NO_MATCH', 'AMBIGUOUS', 'LOCAL_ID_TAKEN')),
        candidates    text[] NOT NULL DEFAULT '{}',
        record        jsonb NOT NULL,
        reported_at   timestamptz NOT NULL,
        resolved_at   timestamptz,
        PRIMARY KEY (department_id, local_id)
      )`);
    await q.query(`CREATE INDEX unlinked_record_open_idx ON unlinked_record (department_id) WHERE resolved_at IS NULL`);

    // New data sources bring sub-funds outside the classification table, without a category.
    await q.query(`ALTER TABLE sub_fund ALTER COLUMN category_code DROP NOT NULL`);

    // Imports: the uploaded file (so any worker can read it) and each department's saved column mapping.
    await q.query(`
      CREATE TABLE import_file (
        id            uuid PRIMARY KEY,
        file_name     text NOT NULL,
        content       bytea NOT NULL,
        department_id uuid REFERENCES department(id),
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE import_mapping (
        department_id uuid PRIMARY KEY REFERENCES department(id),
        mapping       jsonb NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS import_mapping`);
    await q.query(`DROP TABLE IF EXISTS import_file`);
    await q.query(`DELETE FROM sub_fund WHERE category_code IS NULL`);
    await q.query(`ALTER TABLE sub_fund ALTER COLUMN category_code SET NOT NULL`);
    await q.query(`DROP TABLE IF EXISTS unlinked_record`);
    await q.query(`DROP TABLE IF EXISTS delegation`);
    await q.query(`DELETE FROM department WHERE linkage_role = 'AGENCY'`);
    await q.query(`ALTER TABLE department DROP CONSTRAINT department_linkage_role_check`);
    await q.query(`ALTER TABLE department ADD CONSTRAINT department_linkage_role_check CHECK (linkage_role IN
      ('LEADING', 'PARTICIPATING', 'WORKING_GROUP', 'INFORMATION_CENTER', 'LEADING_GROUP_OFFICE', 'OTHER'))`);
  }
}
