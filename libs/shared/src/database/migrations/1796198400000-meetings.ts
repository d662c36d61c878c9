import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consultation meetings (会商, DOMAIN §7): the meeting and its participants, the agenda items with the
 * things they are about and the decision on each, and fund proposals that only a fund-establishment
 * meeting can let become a fund.
 */
export class Meetings1796198400000 implements MigrationInterface {
  name = 'Meetings1796198400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meeting (
        id           uuid PRIMARY KEY,
        kind         text NOT NULL CHECK (kind IN ('annual_direction', 'guideline', 'project', 'fund_establishment', 'joint')),
        title        text NOT NULL,
        convened_by  uuid NOT NULL REFERENCES department(id),
        starts_at    timestamptz NOT NULL,
        place        text NOT NULL,
        year         integer NOT NULL,
        status       text NOT NULL CHECK (status IN ('planned', 'agenda_frozen', 'held', 'minutes_approved')),
        minutes      text NOT NULL DEFAULT '',
        materials    jsonb NOT NULL DEFAULT '[]',
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE meeting_participant (
        meeting_id    uuid NOT NULL REFERENCES meeting(id),
        department_id uuid NOT NULL REFERENCES department(id),
        attendees     text[] NOT NULL DEFAULT '{}',
        attended      boolean,
        PRIMARY KEY (meeting_id, department_id)
      )`);
    await q.query(`
      CREATE TABLE fund_proposal (
        id              uuid PRIMARY KEY,
        department_id   uuid NOT NULL REFERENCES department(id),
        name            text NOT NULL,
        direction       text NOT NULL,
        budget_fen      bigint CHECK (budget_fen >= 0),
        overlap_check   jsonb NOT NULL,
        status          text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'established', 'sent_to_leading_group')),
        decided_in      uuid REFERENCES meeting(id),
        fund_id         uuid REFERENCES fund(id),
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // A department's annual guideline (指南) with its support directions, compiled in a guideline meeting.
    await q.query(`
      CREATE TABLE guideline_draft (
        id            uuid PRIMARY KEY,
        department_id uuid NOT NULL REFERENCES department(id),
        year          integer NOT NULL,
        title         text NOT NULL,
        directions    text[] NOT NULL,
        status        text NOT NULL CHECK (status IN ('draft', 'compiled')),
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE agenda_item (
        id               uuid PRIMARY KEY,
        meeting_id       uuid NOT NULL REFERENCES meeting(id),
        seq              integer NOT NULL,
        kind             text NOT NULL CHECK (kind IN ('project', 'duplicate_alert', 'credit_review', 'fund_proposal', 'guideline', 'other')),
        project_id       uuid REFERENCES project(id),
        alert_id         uuid REFERENCES duplicate_alert(id),
        fund_proposal_id uuid REFERENCES fund_proposal(id),
        guideline_ids    uuid[] NOT NULL DEFAULT '{}',
        title            text NOT NULL,
        reason           text NOT NULL DEFAULT '',
        decision         text CHECK (decision IN ('approve', 'reject', 'defer', 'refer', 'merge', 'more_information')),
        rationale        text NOT NULL DEFAULT '',
        alert_outcome    text CHECK (alert_outcome IN ('confirmed', 'dismissed_related', 'dismissed_distinct')),
        referred_to      text,
        division         text,
        agreed           text[] NOT NULL DEFAULT '{}',
        dissented        text[] NOT NULL DEFAULT '{}',
        decided_at       timestamptz,
        UNIQUE (meeting_id, seq)
      )`);
    await q.query(`CREATE INDEX agenda_item_project_idx ON agenda_item (project_id) WHERE project_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agenda_item`);
    await q.query(`DROP TABLE guideline_draft`);
    await q.query(`DROP TABLE fund_proposal`);
    await q.query(`DROP TABLE meeting_participant`);
    await q.query(`DROP TABLE meeting`);
  }
}
