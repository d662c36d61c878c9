import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { HistoryRepository } from '#history';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { FixedClock } from '#shared/core/index.js';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { MeetingService } from './meeting.service.js';
import { ConsultationRequestService } from './request.service.js';
import { TaskService, type TaskCaller } from './task.service.js';

describe(`consultation requests, flags, referrals, decisions' tasks and materials (${testDbKind()} database)`, () => {
  let app: INestApplicationContext;
  let meetings: MeetingService;
  let requests: ConsultationRequestService;
  let tasks: TaskService;
  const clock = new FixedClock(new Date('2026-11-20T02:00:00Z'));
  const callers: Record<string, TaskCaller> = {};
  /** Two of KW's projects, two of ZJ's. */
  let kw: string[];
  let zj: { code: string; subFund: string | null }[];

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false, clock }), { logger: false });
    await app.get(SeedService).seed({ demo: true });
    meetings = app.get(MeetingService);
    requests = app.get(ConsultationRequestService);
    tasks = app.get(TaskService);
    const roles: Record<string, TaskCaller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', FGW: 'READER' };
    for (const d of await app.get(ReferenceService).departments()) if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
    const ds = app.get(DataSource);
    const mine = async (dept: string) =>
      (await ds.query(
        `SELECT trim(p.code) AS code, f.code || '-' || s.code AS sub FROM project p JOIN department d ON d.id = p.department_id JOIN fund f ON f.id = p.fund_id LEFT JOIN sub_fund s ON s.id = p.sub_fund_id WHERE d.code = $1 ORDER BY p.code LIMIT 2`,
        [dept],
      )) as { code: string; sub: string | null }[];
    kw = (await mine('KW')).map((p) => p.code);
    zj = (await mine('ZJ')).map((p) => ({ code: p.code, subFund: p.sub }));
  });
  afterAll(() => app?.close());

  it('takes a department\'s request on its own projects, naming bad fields; the leading department sees it and declines with a reason', async () => {
    expect(await rejection(requests.request(callers.FGW!, { projectCodes: kw, reason: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(requests.request(callers.KW!, { projectCodes: [zj[0]!.code], reason: '跨部门审批' }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('belongs to ZJ') });
    const bad = await rejection(requests.request(callers.KW!, { projectCodes: [], reason: ' ' }));
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.message).toMatch(/projectCodes.*reason/);
    expect((await rejection(requests.request(callers.KW!, { projectCodes: ['NOPE'], reason: 'x' }))).message).toMatch(/projectCodes: no project NOPE/);

    const r = await requests.request(callers.KW!, { projectCodes: kw, reason: '与张江管委会项目支持方向相近,请会商' });
    expect(r).toMatchObject({ departmentCode: 'KW', projectCodes: kw, status: 'pending', meetingId: null });
    expect((await rejection(requests.request(callers.KW!, { projectCodes: [kw[0]!], reason: '再次' }))).message).toMatch(/already in a pending or scheduled consultation request/);

    clock.set(new Date('2026-11-20T03:00:00Z'));
    const z = await requests.request(callers.ZJ!, { projectCodes: [zj[0]!.code], reason: '请会商' });
    expect((await requests.list(callers.KW!)).map((x) => x.id)).toEqual([r.id]);
    expect((await requests.list(callers.JXW!, { status: 'pending' })).map((x) => x.id)).toEqual([r.id, z.id]);
    expect(await rejection(requests.get(callers.ZJ!, r.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(requests.decline(callers.KW!, z.id, '不是你的'))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await rejection(requests.decline(callers.JXW!, z.id, ''))).message).toMatch(/reason/);
    const declined = await requests.decline(callers.JXW!, z.id, '已由张江管委会按自身规则处理,无需会商');
    expect(declined).toMatchObject({ status: 'declined', declineReason: '已由张江管委会按自身规则处理,无需会商' });
    expect(await rejection(requests.decline(callers.JXW!, z.id, '再次'))).toMatchObject({ code: 'INVALID_TRANSITION' });

    // The requesting department withdraws a pending request of its own, saying why; nobody else does.
    const w = await requests.request(callers.ZJ!, { projectCodes: [zj[0]!.code], reason: '再次申请会商' });
    expect(await rejection(requests.withdraw(callers.KW!, w.id, '不是你的'))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await rejection(requests.withdraw(callers.ZJ!, w.id, ' '))).message).toMatch(/reason/);
    expect(await requests.withdraw(callers.ZJ!, w.id, '已与科委自行协调')).toMatchObject({ status: 'withdrawn' });
    expect(await rejection(requests.withdraw(callers.ZJ!, w.id, '再次'))).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('takes a flag for another sub-fund from the project\'s own department only, naming the target', async () => {
    const own = zj[1]!;
    const other = own.subFund === 'RJJCDL-03' ? 'RJJCDL-04' : 'RJJCDL-03';
    expect(await rejection(requests.flag(callers.KW!, { projectCode: own.code, suggestedTo: other, reason: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    const bad = await rejection(requests.flag(callers.ZJ!, { projectCode: own.code, suggestedTo: '不存在的专项', reason: '' }));
    expect(bad.message).toMatch(/reason.*suggestedTo: "不存在的专项" is not a known sub-fund/);
    if (own.subFund) expect((await rejection(requests.flag(callers.ZJ!, { projectCode: own.code, suggestedTo: own.subFund, reason: 'x' }))).message).toMatch(/own sub-fund/);
    const f = await requests.flag(callers.ZJ!, { projectCode: own.code, suggestedTo: other.toLowerCase(), reason: '属首轮流片,宜由软件集成电路专项支持' });
    expect(f).toMatchObject({ projectCode: own.code, departmentCode: 'ZJ', suggestedTo: other, status: 'open' });
    expect((await rejection(requests.flag(callers.ZJ!, { projectCode: own.code, suggestedTo: 'KW', reason: 'x' }))).message).toMatch(/flagged already/);
    const history = await app.get(HistoryRepository).list('project', f.projectId);
    expect(history.at(-1)).toMatchObject({ action: 'FLAGGED_FOR_OTHER_SUB_FUND', changes: { suggestedTo: other } });
    // Withdrawn by the department that flagged it (and by no other), then flagged again.
    expect(await rejection(requests.withdrawFlag(callers.KW!, f.id, '不是你的'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await requests.withdrawFlag(callers.ZJ!, f.id, '改由本部门支持')).toMatchObject({ status: 'withdrawn' });
    expect((await app.get(HistoryRepository).list('project', f.projectId)).at(-1)).toMatchObject({ action: 'FLAG_WITHDRAWN', reason: '改由本部门支持' });
    expect(await rejection(requests.withdrawFlag(callers.ZJ!, f.id, '再次'))).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await requests.flag(callers.ZJ!, { projectCode: own.code, suggestedTo: other, reason: '属首轮流片,宜由软件集成电路专项支持' })).toMatchObject({ status: 'open' });
  });

  it('puts requests and flags on a project consultation; a referral shows on the project and the decision\'s tasks are set when the minutes are approved', async () => {
    const other = await meetings.convene(callers.JXW!, { kind: 'project', title: '发改委专题会商', startsAt: '2026-12-02T09:00:00+08:00', place: '发改委', participants: ['FGW'] });
    const [pending] = await requests.list(callers.JXW!, { status: 'pending' });
    expect((await rejection(meetings.scheduleRequest(callers.JXW!, pending!.id, other.id))).message).toMatch(/meetingId: KW, which requested the consultation, does not take part/);
    expect(await rejection(meetings.scheduleRequest(callers.KW!, pending!.id, other.id))).toMatchObject({ code: 'FORBIDDEN' });

    const m = await meetings.convene(callers.JXW!, { kind: 'project', title: '2026 年第 5 次项目会商', startsAt: '2026-12-01T09:00:00+08:00', place: '经信委', participants: ['KW', 'ZJ'] });
    const built = await meetings.buildAgenda(callers.JXW!, m.id);
    const requested = built.agenda.filter((i) => i.requestId === pending!.id);
    expect(requested.map((i) => i.projectCode)).toEqual(kw);
    expect(requested[0]).toMatchObject({ kind: 'project', reason: '与张江管委会项目支持方向相近,请会商' });
    const flagged = built.agenda.filter((i) => i.flagId);
    expect(flagged.map((i) => i.projectCode)).toEqual([zj[1]!.code]);
    expect(await requests.get(callers.KW!, pending!.id)).toMatchObject({ status: 'scheduled', meetingId: m.id });
    expect((await requests.flags({ status: 'scheduled' })).map((f) => f.meetingId)).toEqual([m.id]);
    expect((await meetings.buildAgenda(callers.JXW!, m.id)).agenda).toHaveLength(built.agenda.length);
    expect(await rejection(meetings.scheduleRequest(callers.JXW!, pending!.id, m.id))).toMatchObject({ code: 'INVALID_TRANSITION' });

    await meetings.freezeAgenda(callers.JXW!, m.id);
    await meetings.hold(callers.JXW!, m.id);
    const referred = requested[0]!;
    const badTask = await rejection(meetings.decide(callers.JXW!, m.id, referred.id, { decision: 'refer', rationale: '转交', referredTo: '某专项', followUpTasks: [{ title: '', lead: ['无此部门'], deadline: '明年' }] }));
    expect(badTask.message).toMatch(/referredTo: "某专项" is not a known.*followUpTasks\[0\]\.title.*followUpTasks\[0\]\.deadline.*followUpTasks\[0\]\.lead: "无此部门"/);
    await meetings.decide(callers.JXW!, m.id, referred.id, {
      decision: 'refer', rationale: '属首轮流片,转软件集成电路专项支持', referredTo: '软件集成电路发展专项—产业化项目、首轮流片',
      followUpTasks: [{ title: '转交项目材料', lead: ['市科委'], cooperating: ['经信委'], deadline: '2026 年底' }],
    });
    for (const i of (await meetings.get(callers.JXW!, m.id)).agenda.filter((x) => !x.decision)) await meetings.decide(callers.JXW!, m.id, i.id, { decision: 'defer', rationale: '下次会商' });
    const decided = await meetings.get(callers.KW!, m.id);
    expect(decided.agenda.find((i) => i.id === referred.id)).toMatchObject({ referredTo: 'RJJCDL-03', followUpTasks: [{ title: '转交项目材料', content: '属首轮流片,转软件集成电路专项支持', lead: ['市科委'], deadline: '2026 年底' }] });
    expect(await requests.projectConsultation(kw[0]!)).toBeNull();

    await meetings.approveMinutes(callers.JXW!, m.id, '会议纪要');
    expect(await requests.projectConsultation(kw[0]!)).toMatchObject({ decidedIn: m.id, decision: 'refer', referredTo: { kind: 'sub_fund', code: 'RJJCDL-03', departmentCode: 'JXW' } });
    expect(await requests.projectConsultation(kw[1]!)).toMatchObject({ decision: 'defer', referredTo: null });
    // One of the request's projects was referred: the request is decided. The flagged project was deferred: its flag is open again for a later meeting.
    expect((await requests.get(callers.KW!, pending!.id)).status).toBe('decided');
    expect((await requests.flags({ status: 'resolved' })).map((f) => f.projectCode)).toEqual([]);
    expect((await requests.flags({ status: 'open' })).map((f) => [f.projectCode, f.meetingId])).toEqual([[zj[1]!.code, null]]);
    const set = await tasks.list({ meetingId: m.id });
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ title: '转交项目材料', leadCodes: ['KW'], cooperatingCodes: ['JXW'], dueDate: '2026-12-31', meetingId: m.id, agendaItemId: referred.id, source: `2026 年第 5 次项目会商 第 ${referred.seq} 项议题` });
    expect(Number(set[0]!.number)).toBeGreaterThan(15);
  });

  it('attaches materials by the leading department, once per file, and lists meetings each department takes part in', async () => {
    const [m] = await meetings.list(callers.KW!);
    expect(await rejection(meetings.attachMaterials(callers.KW!, m!.id, [{ name: 'a', ref: 'b' }]))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await rejection(meetings.attachMaterials(callers.JXW!, m!.id, [{ name: '议程', ref: ' ' }]))).message).toMatch(/materials\[0\]: needs a name and a file reference/);
    const files = [{ name: '会议议程', ref: 'oa://docs/2026/1201-agenda.pdf' }, { name: '会议纪要(签发稿)', ref: 'oa://docs/2026/1201-minutes.pdf' }];
    await meetings.attachMaterials(callers.JXW!, m!.id, files);
    expect((await meetings.attachMaterials(callers.JXW!, m!.id, [files[0]!])).materials).toEqual(files);
    expect((await meetings.get(callers.ZJ!, m!.id)).materials).toEqual(files);
    expect((await meetings.list(callers.KW!)).map((x) => x.title)).toEqual(['2026 年第 5 次项目会商']);
    expect((await meetings.list(callers.JXW!)).map((x) => x.title)).toEqual(['发改委专题会商', '2026 年第 5 次项目会商']);
  });

  it('numbers the tasks of two meetings whose minutes are approved at the same moment, each its own', async () => {
    const held = async (title: string) => {
      const m = await meetings.addItem(callers.JXW!, (await meetings.convene(callers.JXW!, { kind: 'joint', title, startsAt: '2026-12-10T09:00:00+08:00', place: '经信委', participants: ['KW'] })).id, { kind: 'other', title: '年度工作安排' });
      await meetings.freezeAgenda(callers.JXW!, m.id);
      await meetings.hold(callers.JXW!, m.id);
      await meetings.decide(callers.JXW!, m.id, m.agenda[0]!.id, { decision: 'approve', rationale: '同意', followUpTasks: [{ title: `${title}跟踪`, lead: ['市科委'], deadline: '2027 年底' }] });
      return m.id;
    };
    const a = await held('联席会议甲');
    const b = await held('联席会议乙');
    await Promise.all([meetings.approveMinutes(callers.JXW!, a, '纪要甲'), meetings.approveMinutes(callers.JXW!, b, '纪要乙')]);
    const numbers = [...(await tasks.list({ meetingId: a })), ...(await tasks.list({ meetingId: b }))].map((t) => Number(t.number));
    expect(numbers).toHaveLength(2);
    expect(new Set(numbers).size).toBe(2);
  });
});
