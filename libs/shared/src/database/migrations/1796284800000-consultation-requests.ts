import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consultation, the rest of issue 7: a participating department's request for a project consultation,
 * a project flagged as needing another sub-fund, the decision's follow-up tasks and where a task came
 * from, and each project's consultation decisions once a meeting's minutes are approved (where it was
 * referred). Meeting materials use the `materials` column the meetings migration created.
 */
export class ConsultationRequests1796284800000 implements MigrationInterface {
  name = 'ConsultationRequests1796284800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consultation_request (
        id             uuid PRIMARY KEY,
        department_id  uuid NOT NULL REFERENCES department(id),
        project_ids    uuid[] NOT NULL,
        reason         text NOT NULL,
        status         text NOT NULL CHECK (status IN ('pending', 'scheduled', 'declined', 'decided', 'withdrawn')),
        meeting_id     uuid REFERENCES meeting(id),
        decline_reason text,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX consultation_request_status_idx ON consultation_request (status, department_id)`);
    await q.query(`
      CREATE TABLE project_flag (
        id             uuid PRIMARY KEY,
        project_id     uuid NOT NULL REFERENCES project(id),
        department_id  uuid NOT NULL REFERENCES department(id),
        suggested_to   text NOT NULL,
        reason         text NOT NULL,
        status         text NOT NULL CHECK (status IN ('open', 'scheduled', 'resolved', 'withdrawn')),
        meeting_id     uuid REFERENCES meeting(id),
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    // One flag at a time per project until a meeting resolves it or its department withdraws it.
    await q.query(`CREATE UNIQUE INDEX project_flag_unresolved_idx ON project_flag (project_id) WHERE status IN ('open', 'scheduled')`);
    await q.query(`
      ALTER TABLE agenda_item
        ADD COLUMN request_id      uuid REFERENCES consultation_request(id),
        ADD COLUMN flag_id         uuid REFERENCES project_flag(id),
        ADD COLUMN follow_up_tasks jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      ALTER TABLE follow_up_task
        ADD COLUMN meeting_id      uuid REFERENCES meeting(id),
        ADD COLUMN agenda_item_id  uuid REFERENCES agenda_item(id)`);
    await q.query(`
      CREATE TABLE project_consultation (
        project_id     uuid NOT NULL REFERENCES project(id),
        agenda_item_id uuid NOT NULL REFERENCES agenda_item(id),
        meeting_id     uuid NOT NULL REFERENCES meeting(id),
        decision       text NOT NULL,
        rationale      text NOT NULL,
        referred_to    text,
        approved_at    timestamptz NOT NULL,
        PRIMARY KEY (project_id, agenda_item_id)
      )`);
    await q.query(`CREATE INDEX project_consultation_latest_idx ON project_consultation (project_id, approved_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE project_consultation`);
    await q.query(`ALTER TABLE follow_up_task DROP COLUMN agenda_item_id, DROP COLUMN meeting_id`);
    await q.query(`ALTER TABLE agenda_item DROP COLUMN follow_up_tasks, DROP COLUMN flag_id, DROP COLUMN request_id`);
    await q.query(`DROP TABLE project_flag`);
    await q.query(`DROP TABLE consultation_request`);
  }
}
