import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { FixedClock, projectRoot } from '#shared/core/index.js';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { parseDeadline, TaskService, type TaskCaller } from './task.service.js';


describe('planned deadlines as written', () => {
  it('reads an end of year, a date and 持续推进, and refuses anything else', () => {
    expect(parseDeadline('2018 年底')).toEqual({ kind: 'year_end', dueDate: '2018-12-31' });
    expect(parseDeadline('2019年底')).toEqual({ kind: 'year_end', dueDate: '2019-12-31' });
    expect(parseDeadline('持续推进')).toEqual({ kind: 'ongoing', dueDate: null });
    expect(parseDeadline('2026-06-30')).toEqual({ kind: 'date', dueDate: '2026-06-30' });
    expect(parseDeadline('明年')).toBeNull();
    expect(parseDeadline('2026-13-40')).toBeNull();
  });
});

describe(`follow-up tasks (${testDbKind()} database, frozen clock)`, () => {
  let app: INestApplicationContext;
  let tasks: TaskService;
  const clock = new FixedClock(new Date('2018-12-20T02:00:00Z'));
  const callers: Record<string, TaskCaller> = {};
  const table = JSON.parse(readFileSync(join(projectRoot(), 'seeds', 'tasks', '004-tech-transfer-tasks.json'), 'utf8'));

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false, clock }), { logger: false });
    await app.get(SeedService).seed({ demo: false });
    tasks = app.get(TaskService);
    const roles: Record<string, TaskCaller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', FGW: 'STAFF', CZJ: 'STAFF' };
    for (const d of await app.get(ReferenceService).departments()) if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
  });
  afterAll(() => app?.close());

  it('loads the 004 table faithfully: 15 tasks, their items, departments as written, deadlines as written', async () => {
    expect(await tasks.load(table)).toBe(24);
    expect(await tasks.load(table)).toBe(0);
    const all = await tasks.list();
    expect(new Set(all.map((t) => t.taskNumber)).size).toBe(15);
    const first = all.find((t) => t.number === '1')!;
    expect(first).toMatchObject({ title: '加快形成促进科技成果转移转化的协同机制', lead: ['市科委'], leadCodes: ['KW'], deadlineText: '2017 年底', deadlineKind: 'year_end', dueDate: '2017-12-31', section: '(一)增强科技成果转移转化主体内生动力' });
    expect(first.cooperating).toContain('市委组织部');
    expect(first.cooperatingCodes).toEqual(expect.arrayContaining(['CZJ', 'FGW', 'JXW']));
    const ongoing = all.find((t) => t.number === '3.2')!;
    expect(ongoing).toMatchObject({ deadlineText: '持续推进', deadlineKind: 'ongoing', dueDate: null });
  });

  it('lists overdue and due-soon tasks per department, and the daily job marks the overdue ones', async () => {
    const overdue = await tasks.list({ department: 'KW', overdue: true });
    expect(overdue.map((t) => t.number)).toEqual(['1']);
    expect((await tasks.list({ department: 'KW', dueWithinDays: 30 })).map((t) => t.number)).toEqual(expect.arrayContaining(['2', '6.2', '8.1']));
    expect((await tasks.list({ department: 'KW', dueWithinDays: 30 })).every((t) => t.dueDate === '2018-12-31')).toBe(true);
    expect(await tasks.markOverdue()).toBe(1);
    expect((await tasks.list({ overdue: true }))[0]!.overdueSince).toBe('2018-01-01');
    clock.set(new Date('2019-01-02T02:00:00Z'));
    expect((await tasks.list({ department: 'KW', overdue: true })).map((t) => t.number)).toEqual(expect.arrayContaining(['1', '2', '6.2']));
    expect(await rejection(tasks.list({ department: 'NOPE' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('takes progress from the departments involved only, and closing from a lead department', async () => {
    const t = (await tasks.list()).find((x) => x.number === '1')!;
    const noted = await tasks.recordProgress(callers.CZJ!, t.id, '已配合制定联席会议议事规则');
    expect(noted.progress).toEqual([expect.objectContaining({ departmentCode: 'CZJ', note: '已配合制定联席会议议事规则' })]);
    expect(await rejection(tasks.recordProgress(callers.ZJ!, t.id, '不相关部门'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(tasks.close(callers.CZJ!, t.id, 'done', '完成'))).toMatchObject({ code: 'FORBIDDEN' });
    const done = await tasks.close(callers.KW!, t.id, 'done', '联席会议制度已建立');
    expect(done.status).toBe('done');
    expect((await tasks.list({ overdue: true })).some((x) => x.number === '1')).toBe(false);
  });

  it('lets only the leading department set a task, naming bad fields', async () => {
    expect(await rejection(tasks.create(callers.KW!, { number: '16', title: 't', content: 'c', lead: ['KW'], deadline: '2026 年底' }))).toMatchObject({ code: 'FORBIDDEN' });
    const bad = await rejection(tasks.create(callers.JXW!, { number: '', title: '', content: '', lead: ['无此部门'], deadline: '明年' }));
    expect(bad.message).toMatch(/number.*title.*content.*deadline.*lead: "无此部门"/);
    const made = await tasks.create(callers.JXW!, { number: '16', title: '会商决定的跟踪任务', content: '联合开展专项资金绩效评价', lead: ['经信委'], cooperating: ['市科委'], deadline: '2026-06-30', source: '2026 年第 1 次联席会议' });
    expect(made).toMatchObject({ leadCodes: ['JXW'], cooperatingCodes: ['KW'], deadlineKind: 'date', dueDate: '2026-06-30', status: 'open' });
  });
});
