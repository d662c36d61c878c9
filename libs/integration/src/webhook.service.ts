import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HistoryService, type ChangeEvent } from '#history';
import { ReferenceService } from '#reference';
import type { Caller } from '#registry';
import { Clock, ForbiddenError, NotFoundError, ValidationError } from '#shared/core/index.js';
import { HandlesJob, JobName, QueueService, type JobHandler, type JobResult } from '#shared/queue/index.js';
import { WebhookRepository, type Webhook, type WebhookDelivery } from './webhook.repository.js';

const BATCH = 100;
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;
const MAX_BACKOFF_S = 3600;

/** `sha256=<hex>`: HMAC-SHA256 of the raw request body with the webhook's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookView extends Omit<Webhook, 'secret'> {
  departmentCode: string;
  recent: WebhookDelivery[];
}

/**
 * Sends each department system that registered a URL the registry's change feed: in order,
 * in batches, signed, at least once. A failed delivery is retried with exponential backoff
 * (1 s, 2 s, 4 s … at most an hour) from the same cursor, so nothing is skipped.
 */
@Injectable()
export class WebhookService {
  private readonly log = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhookRepository,
    private readonly history: HistoryService,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  async register(caller: Caller, url: string, opts: { fromBeginning?: boolean } = {}): Promise<{ id: string; url: string; secret: string; cursor: bigint }> {
    if (caller.role === 'READER') throw new ForbiddenError('a READER key cannot register webhooks');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw ValidationError.field('url', `"${url}" is not a URL`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol)) throw ValidationError.field('url', 'must be http:// or https://');
    const secret = randomBytes(32).toString('hex');
    const cursor = opts.fromBeginning ? 0n : await this.repo.latestEventId();
    const id = randomUUID();
    await this.repo.insert({ id, departmentId: caller.departmentId, url: parsed.toString(), secret, cursor });
    return { id, url: parsed.toString(), secret, cursor };
  }

  async list(caller: Caller): Promise<WebhookView[]> {
    const hooks = await this.repo.list(caller.role === 'INFORMATION_CENTER' ? undefined : caller.departmentId);
    const departments = await this.reference.departments();
    return Promise.all(
      hooks.map(async ({ secret: _secret, ...w }) => ({ ...w, departmentCode: departments.find((d) => d.id === w.departmentId)?.code ?? '?', recent: await this.repo.deliveries(w.id, 10) })),
    );
  }

  async deactivate(caller: Caller, id: string): Promise<void> {
    const w = await this.repo.get(id);
    if (!w) throw new NotFoundError('webhook', id);
    if (w.departmentId !== caller.departmentId && caller.role !== 'INFORMATION_CENTER') throw new ForbiddenError('only its own department removes a webhook');
    await this.repo.deactivate(id);
  }

  /** Deliver to every webhook that is due; returns what happened. */
  async deliverDue(): Promise<{ attempted: number; delivered: number; failed: number }> {
    const due = await this.repo.claimDue(this.clock.now(), LEASE_MS);
    let delivered = 0;
    let failed = 0;
    for (const w of due) {
      const events = await this.history.changes(w.cursor, BATCH);
      if (events.length === 0) {
        await this.repo.release(w.id);
        continue;
      }
      (await this.deliver(w, events)) ? delivered++ : failed++;
    }
    return { attempted: delivered + failed, delivered, failed };
  }

  private async deliver(w: Webhook, events: ChangeEvent[]): Promise<boolean> {
    const departments = await this.reference.departments();
    const body = JSON.stringify({
      webhookId: w.id,
      events: events.map((e) => ({
        id: e.id.toString(),
        at: e.at.toISOString(),
        entityType: e.entityType,
        projectCode: e.projectCode,
        action: e.action,
        departmentCode: departments.find((d) => d.id === e.departmentId)?.code ?? null,
        changes: e.changes,
      })),
    });
    const first = events[0]!.id;
    const last = events[events.length - 1]!.id;
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-linkage-signature': signature(w.secret, body), 'x-linkage-webhook': w.id, 'x-linkage-events': `${first}-${last}` },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const at = this.clock.now();
    await this.repo.record(w.id, { firstEventId: first, lastEventId: last, events: events.length, status: error ? 'failed' : 'delivered', httpStatus, error, at });
    if (!error) {
      await this.repo.delivered(w.id, last, at);
      return true;
    }
    const backoff = Math.min(2 ** w.failures, MAX_BACKOFF_S);
    await this.repo.failed(w.id, error, new Date(at.getTime() + backoff * 1000));
    this.log.warn(`webhook ${w.id} (${w.url}): ${error}; retry in ${backoff} s`);
    return false;
  }
}

@Injectable()
@HandlesJob(JobName.DeliverWebhooks)
export class DeliverWebhooksHandler implements JobHandler<JobName.DeliverWebhooks> {
  constructor(private readonly webhooks: WebhookService) {}
  handle(): Promise<JobResult<JobName.DeliverWebhooks>> {
    return this.webhooks.deliverDue();
  }
}

/** In the process that runs jobs, enqueue a delivery round every few seconds (one per time slot, however many processes). */
@Injectable()
export class WebhookTicker implements OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly queue: QueueService) {}

  start(everyMs = 5000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const slot = Math.floor(Date.now() / everyMs);
      void this.queue.enqueue(JobName.DeliverWebhooks, {}, { jobId: `webhooks-${slot}`, attempts: 1 }).catch(() => undefined);
    }, everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
