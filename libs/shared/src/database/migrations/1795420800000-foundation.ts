import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reference data, department credentials and the job ledger. */
export class Foundation1795420800000 implements MigrationInterface {
  name = 'Foundation1795420800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE jurisdiction (
        code        char(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
        name        text NOT NULL,
        level       text NOT NULL CHECK (level IN ('province', 'city', 'district')),
        parent_code char(6) REFERENCES jurisdiction(code)
      )`);

    await q.query(`
      CREATE TABLE department (
        id                uuid PRIMARY KEY,
        code              text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
        name              text NOT NULL,
        short_name        text NOT NULL,
        aliases           text[] NOT NULL DEFAULT '{}',
        jurisdiction_code char(6) NOT NULL REFERENCES jurisdiction(code),
        linkage_role      text NOT NULL CHECK (linkage_role IN
                            ('LEADING', 'PARTICIPATING', 'WORKING_GROUP', 'INFORMATION_CENTER', 'LEADING_GROUP_OFFICE', 'OTHER')),
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE category (
        code    text PRIMARY KEY,
        name    text NOT NULL UNIQUE,
        name_en text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE support_method (
        code    text PRIMARY KEY,
        name    text NOT NULL UNIQUE,
        name_en text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE fund (
        id                uuid PRIMARY KEY,
        code              text NOT NULL UNIQUE,
        name              text NOT NULL,
        short_name        text NOT NULL,
        department_id     uuid NOT NULL REFERENCES department(id),
        jurisdiction_code char(6) NOT NULL REFERENCES jurisdiction(code),
        uses_catalog      boolean NOT NULL DEFAULT false,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE sub_fund (
        id            uuid PRIMARY KEY,
        fund_id       uuid NOT NULL REFERENCES fund(id),
        code          text NOT NULL CHECK (code ~ '^[0-9A-Z]{2}$'),
        number        integer NOT NULL CHECK (number > 0),
        name          text NOT NULL,
        category_code text NOT NULL REFERENCES category(code),
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (fund_id, code)
      )`);

    await q.query(`
      CREATE TABLE catalog (
        code              text PRIMARY KEY,
        name              text NOT NULL,
        jurisdiction_code char(6) NOT NULL REFERENCES jurisdiction(code)
      )`);
    await q.query(`
      CREATE TABLE catalog_field (
        catalog_code text NOT NULL REFERENCES catalog(code),
        code         text NOT NULL,
        name         text NOT NULL,
        PRIMARY KEY (catalog_code, code)
      )`);
    await q.query(`
      CREATE TABLE catalog_item (
        code         text PRIMARY KEY,
        catalog_code text NOT NULL REFERENCES catalog(code),
        field_code   text NOT NULL,
        number       integer NOT NULL,
        name         text NOT NULL,
        FOREIGN KEY (catalog_code, field_code) REFERENCES catalog_field(catalog_code, code),
        UNIQUE (catalog_code, number)
      )`);

    await q.query(`
      CREATE TABLE api_key (
        id            uuid PRIMARY KEY,
        department_id uuid NOT NULL REFERENCES department(id),
        role          text NOT NULL CHECK (role IN ('STAFF', 'LEADING', 'INFORMATION_CENTER', 'READER')),
        label         text NOT NULL DEFAULT '',
        key_prefix    text NOT NULL,
        key_hash      char(64) NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz,
        last_used_at  timestamptz
      )`);
    await q.query(`CREATE INDEX api_key_department_idx ON api_key (department_id)`);

    await q.query(`
      CREATE TABLE job_run (
        id             text PRIMARY KEY,
        name           text NOT NULL,
        status         text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        payload        jsonb NOT NULL,
        result         jsonb,
        error          text,
        progress_done  bigint NOT NULL DEFAULT 0,
        progress_total bigint,
        attempts       integer NOT NULL DEFAULT 0,
        max_attempts   integer NOT NULL DEFAULT 1,
        requested_by   uuid REFERENCES department(id),
        created_at     timestamptz NOT NULL DEFAULT now(),
        started_at     timestamptz,
        finished_at    timestamptz
      )`);
    await q.query(`CREATE INDEX job_run_status_idx ON job_run (status, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'job_run',
      'api_key',
      'catalog_item',
      'catalog_field',
      'catalog',
      'sub_fund',
      'fund',
      'support_method',
      'category',
      'department',
      'jurisdiction',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
