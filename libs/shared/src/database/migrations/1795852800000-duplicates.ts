import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Duplicate-funding detection: each project's normal forms and blocking keys (written with the
 * project, in the same transaction), counts of the values the method weighs by rarity, and alerts
 * stored once per pair with their review status.
 *
 * Text columns that are compared for equality or indexed use COLLATE "C": matching compares
 * characters, never the server's locale (pg_trgm and locale-dependent ordering play no part).
 */
export class Duplicates1795852800000 implements MigrationInterface {
  name = 'Duplicates1795852800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE project_match (
        project_id      uuid PRIMARY KEY REFERENCES project(id),
        norm_version    integer NOT NULL,
        department_code text NOT NULL,
        sub_fund        text,
        year            integer,
        title           text NOT NULL,
        organisation    text NOT NULL,
        uscc            char(18),
        leader          text,
        amount_fen      bigint,
        start_date      date,
        end_date        date,
        title_norm      text COLLATE "C" NOT NULL,
        grams           text[] COLLATE "C" NOT NULL,
        org_normal      text COLLATE "C" NOT NULL,
        org_core        text COLLATE "C" NOT NULL,
        leader_norm     text COLLATE "C",
        institution     text COLLATE "C",
        fingerprint     char(32) NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX project_match_uscc_idx ON project_match (uscc) WHERE uscc IS NOT NULL`);
    await q.query(`CREATE INDEX project_match_core_idx ON project_match (org_core)`);
    await q.query(`CREATE INDEX project_match_leader_idx ON project_match (leader_norm, year) WHERE leader_norm IS NOT NULL`);
    await q.query(`CREATE INDEX project_match_grams_idx ON project_match USING gin (grams)`);

    // How many projects hold each value the method weighs by rarity (kind g: a title bigram, t: a
    // title, o: an organisation name, c: its core, i: an institution, l: a leader, #: all projects).
    await q.query(`
      CREATE TABLE match_count (
        kind  "char" NOT NULL,
        value text COLLATE "C" NOT NULL,
        n     integer NOT NULL,
        PRIMARY KEY (kind, value)
      )`);

    await q.query(`
      CREATE TABLE duplicate_alert (
        id               uuid PRIMARY KEY,
        project_a        uuid NOT NULL REFERENCES project(id),
        project_b        uuid NOT NULL REFERENCES project(id),
        score            numeric(6,2) NOT NULL,
        level            text NOT NULL CHECK (level IN ('likely', 'possible')),
        evidence         jsonb NOT NULL,
        status           text NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed_related', 'dismissed_distinct')),
        status_reason    text NOT NULL DEFAULT '',
        decided_by       uuid REFERENCES department(id),
        decided_at       timestamptz,
        fingerprint_a    char(32) NOT NULL,
        fingerprint_b    char(32) NOT NULL,
        raised_at        timestamptz NOT NULL,
        scored_at        timestamptz NOT NULL,
        CHECK (project_a < project_b),
        UNIQUE (project_a, project_b)
      )`);
    await q.query(`CREATE INDEX duplicate_alert_b_idx ON duplicate_alert (project_b)`);
    await q.query(`CREATE INDEX duplicate_alert_status_idx ON duplicate_alert (status, score DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE duplicate_alert`);
    await q.query(`DROP TABLE match_count`);
    await q.query(`DROP TABLE project_match`);
  }
}
