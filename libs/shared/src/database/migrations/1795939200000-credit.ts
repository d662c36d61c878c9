import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit (DOMAIN §6): dishonesty records shared among the linkage departments, integrity
 * commitments on applications, and credit reviews stored on the project they judged.
 */
export class Credit1795939200000 implements MigrationInterface {
  name = 'Credit1795939200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_record (
        id                   uuid PRIMARY KEY,
        organisation_uscc    char(18),
        organisation_name    text,
        organisation_normal  text COLLATE "C",
        organisation_core    text COLLATE "C",
        person_name          text,
        person_normal        text COLLATE "C",
        person_id_number     text,
        project_id           uuid REFERENCES project(id),
        behaviour            text NOT NULL,
        severity             text NOT NULL CHECK (severity IN ('general', 'serious')),
        department_id        uuid NOT NULL REFERENCES department(id),
        decision_number      text NOT NULL,
        decision_date        date NOT NULL,
        legal_basis          text NOT NULL,
        effective_date       date NOT NULL,
        restriction_months   integer CHECK (restriction_months BETWEEN 1 AND 1200),
        indefinite           boolean NOT NULL,
        measures             text[] NOT NULL,
        visibility           text NOT NULL CHECK (visibility IN ('internal', 'public')),
        evidence             jsonb NOT NULL DEFAULT '[]',
        status               text NOT NULL CHECK (status IN ('active', 'expired', 'revoked', 'repaired', 'under_objection')),
        status_note          text NOT NULL DEFAULT '',
        repair               jsonb,
        version              integer NOT NULL DEFAULT 1,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        CHECK (organisation_name IS NOT NULL OR organisation_uscc IS NOT NULL OR person_name IS NOT NULL),
        CHECK ((restriction_months IS NULL) = indefinite)
      )`);
    await q.query(`CREATE INDEX credit_record_uscc_idx ON credit_record (organisation_uscc) WHERE organisation_uscc IS NOT NULL`);
    await q.query(`CREATE INDEX credit_record_org_idx ON credit_record (organisation_normal)`);
    await q.query(`CREATE INDEX credit_record_core_idx ON credit_record (organisation_core)`);
    await q.query(`CREATE INDEX credit_record_person_idx ON credit_record (person_normal)`);
    await q.query(`CREATE INDEX credit_record_status_idx ON credit_record (status, effective_date)`);

    // Commitment texts are data, per fund and version (守信承诺书).
    await q.query(`
      CREATE TABLE credit_commitment_text (
        fund_id        uuid NOT NULL REFERENCES fund(id),
        version        integer NOT NULL CHECK (version > 0),
        text           text NOT NULL,
        effective_from date NOT NULL,
        PRIMARY KEY (fund_id, version)
      )`);
    await q.query(`
      CREATE TABLE credit_commitment (
        id            uuid PRIMARY KEY,
        project_id    uuid NOT NULL REFERENCES project(id),
        fund_id       uuid NOT NULL,
        text_version  integer NOT NULL,
        signed_by     text NOT NULL,
        signed_at     timestamptz NOT NULL,
        department_id uuid NOT NULL REFERENCES department(id),
        recorded_at   timestamptz NOT NULL,
        FOREIGN KEY (fund_id, text_version) REFERENCES credit_commitment_text (fund_id, version)
      )`);
    await q.query(`CREATE INDEX credit_commitment_project_idx ON credit_commitment (project_id)`);

    // Each credit review of a project, newest last; the newest is the project's credit standing.
    await q.query(`
      CREATE TABLE credit_review (
        id              uuid PRIMARY KEY,
        seq             bigserial NOT NULL,
        project_id      uuid NOT NULL REFERENCES project(id),
        at              timestamptz NOT NULL,
        as_of           date NOT NULL,
        trigger         text NOT NULL,
        outcome         text NOT NULL CHECK (outcome IN ('pass', 'warn', 'block')),
        findings        jsonb NOT NULL,
        department_id   uuid REFERENCES department(id),
        override_by     uuid REFERENCES department(id),
        override_reason text,
        override_at     timestamptz
      )`);
    await q.query(`CREATE INDEX credit_review_project_idx ON credit_review (project_id, seq DESC)`);

    // The acceptance judgement 001 asks for when acceptance fails: was the team diligent?
    await q.query(`ALTER TABLE project ADD COLUMN acceptance_diligent boolean`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE project DROP COLUMN acceptance_diligent`);
    await q.query(`DROP TABLE credit_review`);
    await q.query(`DROP TABLE credit_commitment`);
    await q.query(`DROP TABLE credit_commitment_text`);
    await q.query(`DROP TABLE credit_record`);
  }
}
