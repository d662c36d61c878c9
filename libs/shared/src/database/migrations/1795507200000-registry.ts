import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The unified project registry: organisations, persons, projects, crosswalk, code sequences, history. */
export class Registry1795507200000 implements MigrationInterface {
  name = 'Registry1795507200000';

  async up(q: QueryRunner): Promise<void> {
    // Fund rules as data (limits and payment plan), checked on registration and approval.
    await q.query(`ALTER TABLE fund ADD COLUMN rules jsonb NOT NULL DEFAULT '{}'`);

    await q.query(`
      CREATE TABLE organisation (
        id           uuid PRIMARY KEY,
        uscc         char(18) UNIQUE,
        uscc_status  text CHECK (uscc_status IN ('valid', 'unverified')),
        name         text NOT NULL,
        name_norm    text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CHECK ((uscc IS NULL) = (uscc_status IS NULL))
      )`);
    await q.query(`
      CREATE TABLE organisation_name (
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        name            text NOT NULL,
        name_norm       text NOT NULL,
        department_id   uuid REFERENCES department(id),
        first_seen_at   timestamptz NOT NULL,
        PRIMARY KEY (organisation_id, name_norm)
      )`);
    await q.query(`CREATE INDEX organisation_name_norm_idx ON organisation_name (name_norm)`);
    await q.query(`CREATE INDEX organisation_name_trgm_idx ON organisation_name USING gin (name_norm gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE person (
        id         uuid PRIMARY KEY,
        name       text NOT NULL,
        name_norm  text NOT NULL,
        id_number  text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX person_name_norm_idx ON person (name_norm)`);

    await q.query(`
      CREATE TABLE project (
        id                   uuid PRIMARY KEY,
        code                 char(24) NOT NULL UNIQUE,
        department_id        uuid NOT NULL REFERENCES department(id),
        fund_id              uuid NOT NULL REFERENCES fund(id),
        sub_fund_id          uuid REFERENCES sub_fund(id),
        category_code        text REFERENCES category(code),
        support_method_code  text REFERENCES support_method(code),
        catalog_item_code    text REFERENCES catalog_item(code),
        year                 integer NOT NULL CHECK (year BETWEEN 1949 AND 2200),
        title                text NOT NULL,
        title_norm           text NOT NULL,
        summary              text NOT NULL DEFAULT '',
        keywords             text[] NOT NULL DEFAULT '{}',
        organisation_id      uuid NOT NULL REFERENCES organisation(id),
        leader_id            uuid REFERENCES person(id),
        requested_fen        bigint CHECK (requested_fen >= 0),
        approved_fen         bigint CHECK (approved_fen >= 0),
        self_raised_fen      bigint CHECK (self_raised_fen >= 0),
        total_investment_fen bigint CHECK (total_investment_fen >= 0),
        planned_start        date,
        planned_end          date,
        extension_months     integer CHECK (extension_months BETWEEN 1 AND 12),
        status               text NOT NULL,
        attributes           jsonb NOT NULL DEFAULT '{}',
        version              integer NOT NULL DEFAULT 1,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start)
      )`);
    // Ends in code so that a department's page for a year and status comes straight off the index, in order.
    await q.query(`CREATE INDEX project_dept_year_status_idx ON project (department_id, year, status, code)`);
    await q.query(`CREATE INDEX project_organisation_idx ON project (organisation_id)`);
    await q.query(`CREATE INDEX project_leader_idx ON project (leader_id)`);
    await q.query(`CREATE INDEX project_sub_fund_idx ON project (sub_fund_id, year)`);
    await q.query(`CREATE INDEX project_year_idx ON project (year, code)`);
    await q.query(`CREATE INDEX project_title_trgm_idx ON project USING gin (title_norm gin_trgm_ops)`);

    // The crosswalk: a department's own ID for a project. One local ID, one project, per department.
    await q.query(`
      CREATE TABLE project_local_id (
        department_id uuid NOT NULL REFERENCES department(id),
        local_id      text NOT NULL CHECK (length(local_id) BETWEEN 1 AND 100),
        project_id    uuid NOT NULL REFERENCES project(id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (department_id, local_id)
      )`);
    await q.query(`CREATE INDEX project_local_id_project_idx ON project_local_id (project_id)`);

    // Next sequence number of the unified code, per jurisdiction, year, department and sub-fund.
    await q.query(`
      CREATE TABLE project_code_sequence (
        jurisdiction_code char(6) NOT NULL,
        year              integer NOT NULL,
        department_seg    char(5) NOT NULL,
        sub_fund_seg      char(2) NOT NULL,
        last_value        integer NOT NULL,
        PRIMARY KEY (jurisdiction_code, year, department_seg, sub_fund_seg)
      )`);

    // 留痕: append-only history, each entry chained to the previous entry of the same record.
    await q.query(`
      CREATE TABLE history_entry (
        id            bigserial PRIMARY KEY,
        entity_type   text NOT NULL,
        entity_id     uuid NOT NULL,
        seq           integer NOT NULL,
        at            timestamptz NOT NULL,
        department_id uuid REFERENCES department(id),
        api_key_id    uuid,
        action        text NOT NULL,
        reason        text NOT NULL DEFAULT '',
        changes       jsonb NOT NULL,
        prev_hash     char(64),
        hash          char(64) NOT NULL,
        UNIQUE (entity_type, entity_id, seq)
      )`);
    // History is never rewritten: refuse UPDATE and DELETE at the database itself.
    await q.query(`
      CREATE FUNCTION history_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'history_entry is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER history_entry_no_change BEFORE UPDATE OR DELETE ON history_entry
      FOR EACH ROW EXECUTE FUNCTION history_entry_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS history_entry`);
    await q.query(`DROP FUNCTION IF EXISTS history_entry_append_only()`);
    for (const t of ['project_code_sequence', 'project_local_id', 'project', 'person', 'organisation_name', 'organisation']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`ALTER TABLE fund DROP COLUMN IF EXISTS rules`);
  }
}
