import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface Webhook {
  id: string;
  departmentId: string;
  url: string;
  secret: string;
  active: boolean;
  cursor: bigint;
  failures: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  lastDeliveredAt: Date | null;
  createdAt: Date;
}

export interface WebhookDelivery {
  id: string;
  firstEventId: bigint;
  lastEventId: bigint;
  events: number;
  status: 'delivered' | 'failed';
  httpStatus: number | null;
  error: string | null;
  at: Date;
}

interface Row {
  id: string;
  department_id: string;
  url: string;
  secret: string;
  active: boolean;
  cursor: string;
  failures: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_delivered_at: Date | null;
  created_at: Date;
}

const toWebhook = (r: Row): Webhook => ({
  id: r.id,
  departmentId: r.department_id,
  url: r.url,
  secret: r.secret,
  active: r.active,
  cursor: BigInt(r.cursor),
  failures: r.failures,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  lastDeliveredAt: r.last_delivered_at,
  createdAt: r.created_at,
});

/** The only place webhook and webhook_delivery are queried. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(w: { id: string; departmentId: string; url: string; secret: string; cursor: bigint }): Promise<void> {
    await this.ds.query(`INSERT INTO webhook (id, department_id, url, secret, cursor) VALUES ($1, $2, $3, $4, $5)`, [w.id, w.departmentId, w.url, w.secret, w.cursor.toString()]);
  }

  async list(departmentId?: string): Promise<Webhook[]> {
    const rows = (await this.ds.query(`SELECT * FROM webhook ${departmentId ? 'WHERE department_id = $1' : ''} ORDER BY created_at`, departmentId ? [departmentId] : [])) as Row[];
    return rows.map(toWebhook);
  }

  async get(id: string): Promise<Webhook | null> {
    const [row] = (await this.ds.query(`SELECT * FROM webhook WHERE id = $1`, [id])) as Row[];
    return row ? toWebhook(row) : null;
  }

  async deactivate(id: string): Promise<void> {
    await this.ds.query(`UPDATE webhook SET active = false WHERE id = $1`, [id]);
  }

  /**
   * Take the webhooks due now, leasing each for `leaseMs` so that no other process sends the
   * same events at the same time (the lease lapses if this process dies mid-delivery).
   */
  async claimDue(now: Date, leaseMs: number): Promise<Webhook[]> {
    const rows = (await this.ds.query(
      `UPDATE webhook SET next_attempt_at = $2
        WHERE id IN (SELECT id FROM webhook WHERE active AND (next_attempt_at IS NULL OR next_attempt_at <= $1) FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, new Date(now.getTime() + leaseMs)],
    )) as [Row[], number] | Row[];
    const list = Array.isArray(rows[0]) ? (rows[0] as Row[]) : (rows as Row[]);
    return list.map(toWebhook);
  }

  async delivered(id: string, lastEventId: bigint, at: Date): Promise<void> {
    await this.ds.query(`UPDATE webhook SET cursor = $2, failures = 0, next_attempt_at = NULL, last_error = NULL, last_delivered_at = $3 WHERE id = $1`, [id, lastEventId.toString(), at]);
  }

  async release(id: string): Promise<void> {
    await this.ds.query(`UPDATE webhook SET next_attempt_at = NULL WHERE id = $1`, [id]);
  }

  async failed(id: string, error: string, retryAt: Date): Promise<void> {
    await this.ds.query(`UPDATE webhook SET failures = failures + 1, next_attempt_at = $3, last_error = $2 WHERE id = $1`, [id, error, retryAt]);
  }

  async record(webhookId: string, d: Omit<WebhookDelivery, 'id'>): Promise<void> {
    await this.ds.query(
      `INSERT INTO webhook_delivery (webhook_id, first_event_id, last_event_id, events, status, http_status, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [webhookId, d.firstEventId.toString(), d.lastEventId.toString(), d.events, d.status, d.httpStatus, d.error, d.at],
    );
  }

  async deliveries(webhookId: string, limit = 20): Promise<WebhookDelivery[]> {
    const rows = (await this.ds.query(`SELECT * FROM webhook_delivery WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, [webhookId, limit])) as {
      id: string; first_event_id: string; last_event_id: string; events: number; status: 'delivered' | 'failed'; http_status: number | null; error: string | null; at: Date;
    }[];
    return rows.map((r) => ({ id: String(r.id), firstEventId: BigInt(r.first_event_id), lastEventId: BigInt(r.last_event_id), events: r.events, status: r.status, httpStatus: r.http_status, error: r.error, at: r.at }));
  }

  async latestEventId(): Promise<bigint> {
    const [row] = (await this.ds.query(`SELECT COALESCE(max(id), 0) AS id FROM change_event`)) as { id: string }[];
    return BigInt(row!.id);
  }
}
