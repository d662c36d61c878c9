import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-up tasks (004): a task with its items — content, lead and cooperating departments, the
 * planned deadline as written (a date, an end of year such as "2018 年底", or "持续推进") — and the
 * progress notes the departments involved record.
 */
export class Tasks1796112000000 implements MigrationInterface {
  name = 'Tasks1796112000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follow_up_task (
        id             uuid PRIMARY KEY,
        number         text NOT NULL UNIQUE,
        task_number    integer NOT NULL,
        title          text NOT NULL,
        section        text,
        content        text NOT NULL,
        lead           text[] NOT NULL,
        cooperating    text[] NOT NULL,
        lead_codes     text[] NOT NULL,
        cooperating_codes text[] NOT NULL,
        deadline_text  text NOT NULL,
        deadline_kind  text NOT NULL CHECK (deadline_kind IN ('date', 'year_end', 'ongoing')),
        due_date       date,
        status         text NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
        overdue_since  date,
        source         text NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        CHECK ((deadline_kind = 'ongoing') = (due_date IS NULL))
      )`);
    await q.query(`CREATE INDEX follow_up_task_due_idx ON follow_up_task (status, due_date)`);
    await q.query(`
      CREATE TABLE follow_up_progress (
        id            bigserial PRIMARY KEY,
        task_id       uuid NOT NULL REFERENCES follow_up_task(id),
        department_id uuid NOT NULL REFERENCES department(id),
        note          text NOT NULL,
        at            timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX follow_up_progress_task_idx ON follow_up_progress (task_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE follow_up_progress`);
    await q.query(`DROP TABLE follow_up_task`);
  }
}
