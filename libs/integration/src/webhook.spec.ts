import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { RegistryService, type Caller } from '#registry';
import { FixedClock } from '#shared/core/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
import { redisAvailable, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { signature, WebhookService } from './webhook.service.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A department system on this machine: records what it is sent, answers with the next status given. */
async function receiver(): Promise<{ url: string; got: Received[]; statuses: number[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/linkage-hook`, got, statuses, close: () => new Promise((r) => server.close(() => r())) };
}

function scenarios(label: string, redis: boolean) {
  describe(label, () => {
    let producer: INestApplicationContext;
    let worker: INestApplicationContext | undefined;
    let registry: RegistryService;
    let webhooks: WebhookService;
    let kw: Caller;
    const clock = new FixedClock(new Date('2026-11-23T08:00:00Z'));

    beforeAll(async () => {
      await resetDatabase();
      const config = testConfig({ REDIS_URL: redis ? process.env.REDIS_URL : undefined });
      producer = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection: testConnection(), processJobs: false, clock }), { logger: false });
      if (redis) worker = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection: testConnection(), processJobs: true, clock }), { logger: false });
      await producer.get(SeedService).seed({ demo: false });
      registry = producer.get(RegistryService);
      webhooks = producer.get(WebhookService);
      const d = (await producer.get(ReferenceService).departments()).find((x) => x.code === 'KW')!;
      kw = { departmentId: d.id, departmentCode: 'KW', role: 'STAFF', apiKeyId: null };
    });
    afterAll(async () => {
      await worker?.close();
      await producer?.close();
    });

    /** One delivery round, run as a queued job (by the worker on Redis, in-process otherwise). */
    async function round(): Promise<unknown> {
      const queue = producer.get(QueueService);
      const run = await queue.enqueue(JobName.DeliverWebhooks, {}, { attempts: 1 });
      return (await queue.waitFor(run.id, { timeoutMs: 30_000, intervalMs: 20 })).result;
    }

    it('sends changes signed, in order, retries a failure with backoff from the same event, and records every attempt', async () => {
      const sys = await receiver();
      try {
        const hook = await webhooks.register(kw, sys.url);
        expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
        const p = await registry.register(kw, { fund: 'CGZHYY', subFund: '5', year: 2025, title: '推送测试项目', organisation: { name: '上海推送科技有限公司' }, localId: 'WH-1' });

        sys.statuses.push(503);
        expect(await round()).toEqual({ attempted: 1, delivered: 0, failed: 1 });
        // Not due again until the backoff has passed.
        expect(await round()).toEqual({ attempted: 0, delivered: 0, failed: 0 });
        clock.set(new Date(clock.now().getTime() + 1_500));
        expect(await round()).toEqual({ attempted: 1, delivered: 1, failed: 0 });

        expect(sys.got).toHaveLength(2);
        expect(sys.got[0]!.body).toBe(sys.got[1]!.body); // the same events again
        const { headers, body } = sys.got[1]!;
        expect(headers['x-linkage-signature']).toBe(signature(hook.secret, body));
        const payload = JSON.parse(body) as { events: { entityType: string; projectCode: string | null; action: string; departmentCode: string }[] };
        expect(payload.events.map((e) => [e.entityType, e.projectCode, e.action, e.departmentCode])).toEqual([
          ['organisation', null, 'REGISTERED', 'KW'],
          ['project', p.code, 'REGISTERED', 'KW'],
          ['project', p.code, 'LOCAL_ID_LINKED', 'KW'],
        ]);

        // Nothing new: nothing sent. A new change: only it is sent.
        expect(await round()).toEqual({ attempted: 0, delivered: 0, failed: 0 });
        await registry.update(kw, p.code, { summary: '更新后推送' });
        await round();
        expect(JSON.parse(sys.got[2]!.body).events.map((e: { action: string }) => e.action)).toEqual(['UPDATED']);

        const [view] = await webhooks.list(kw);
        expect(view).toMatchObject({ url: sys.url, failures: 0, lastError: null, active: true });
        expect(view!.recent.map((d) => d.status)).toEqual(['delivered', 'delivered', 'failed']);
        expect(view!.recent[2]).toMatchObject({ httpStatus: 503, error: 'HTTP 503' });
        expect(view).not.toHaveProperty('secret');
      } finally {
        await sys.close();
      }
    });

    it('refuses a URL that is not http or https, and stops sending once removed', async () => {
      await expect(webhooks.register(kw, 'ftp://example.org/x')).rejects.toThrow(/url: must be http:\/\/ or https:\/\//);
      await expect(webhooks.register(kw, 'not a url')).rejects.toThrow(/url: "not a url" is not a URL/);
      const sys = await receiver();
      try {
        const hook = await webhooks.register(kw, sys.url, { fromBeginning: true });
        await webhooks.deactivate(kw, hook.id);
        await round();
        expect(sys.got).toHaveLength(0);
      } finally {
        await sys.close();
      }
    });
  });
}

describe(`webhooks (${testDbKind()} database)`, () => {
  scenarios('delivered by the in-process runner', false);
  (redisAvailable() ? describe : describe.skip)('on real Redis', () => scenarios('delivered by a BullMQ worker', true));
});
