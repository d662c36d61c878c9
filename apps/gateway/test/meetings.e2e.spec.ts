import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { finished, gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';
const JXW = 'demo_jxw_demokeyjxw000000';
const FGW = 'demo_fgw_demokeyfgw000000';

const MEETING = `id kind status convenedBy participants { departmentCode attendees attended }
  agenda { id seq kind projectCode alertId fundProposalId title reason decision rationale alertOutcome agreed dissented }`;

describe(`consultation meetings through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  const m = async (query: string, key: string, variables?: Record<string, unknown>) => {
    const r = await gql(gw.url, query, { key, variables });
    return r;
  };

  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
    const scan = await m('mutation { scanDuplicates { id } }', JXW);
    expect((await finished(gw, scan.data!.scanDuplicates.id, JXW)).status).toBe('completed');
  });
  afterAll(() => gw?.close());

  it('runs a project consultation end to end: convene, agenda from alerts and credit warnings, attendance, decisions, minutes, write-back', async () => {
    const refused = await m('mutation { conveneMeeting(input: { kind: "project", title: "x", startsAt: "2026-12-01T09:00:00+08:00", place: "x", participants: ["KW"] }) { id } }', KW);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const convened = await m(`mutation { conveneMeeting(input: { kind: "project", title: "2026 年第 4 次项目会商", startsAt: "2026-12-01T09:00:00+08:00", place: "经信委 302 会议室", participants: ["KW", "ZJ"] }) { ${MEETING} } }`, JXW);
    expect(convened.errors).toBeUndefined();
    const id = convened.data!.conveneMeeting.id;
    expect(convened.data!.conveneMeeting.participants.map((p: { departmentCode: string }) => p.departmentCode)).toEqual(['JXW', 'KW', 'ZJ']);

    expect((await m(`mutation { buildAgenda(meetingId: "${id}") { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const built = (await m(`mutation { buildAgenda(meetingId: "${id}") { ${MEETING} } }`, JXW)).data!.buildAgenda;
    const kinds = new Set(built.agenda.map((i: { kind: string }) => i.kind));
    expect(kinds).toEqual(new Set(['duplicate_alert', 'credit_review']));
    // Building again adds nothing twice.
    expect((await m(`mutation { buildAgenda(meetingId: "${id}") { agenda { id } } }`, JXW)).data!.buildAgenda.agenda).toHaveLength(built.agenda.length);
    // FGW does not take part: it cannot read the meeting.
    expect((await m(`{ meeting(id: "${id}") { id } }`, FGW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await m(`mutation { freezeAgenda(meetingId: "${id}") { status } }`, JXW)).data!.freezeAgenda.status).toBe('agenda_frozen');
    await m(`mutation { recordAttendance(meetingId: "${id}", attendees: ["张处长", "李科长"], attended: true) { id } }`, KW);
    await m(`mutation { recordAttendance(meetingId: "${id}", attendees: ["王主任"], attended: true) { id } }`, ZJ);
    // Attendance is each department's own; a department that does not take part records none.
    expect((await m(`mutation { recordAttendance(meetingId: "${id}", attendees: ["赵处长"], attended: true) { id } }`, FGW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await m(`mutation { holdMeeting(meetingId: "${id}") { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const early = await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${built.agenda[0].id}", input: { decision: "defer", rationale: "x" }) { id } }`, JXW);
    expect(early.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
    expect((await m(`mutation { holdMeeting(meetingId: "${id}") { status } }`, JXW)).data!.holdMeeting.status).toBe('held');

    const alerts = built.agenda.filter((i: { kind: string }) => i.kind === 'duplicate_alert');
    const credit = built.agenda.filter((i: { kind: string }) => i.kind === 'credit_review');
    const noOutcome = await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${alerts[0].id}", input: { decision: "reject", rationale: "重复申报" }) { id } }`, JXW);
    expect(noOutcome.errors?.[0]?.message).toMatch(/alertOutcome/);
    for (const [n, item] of alerts.entries()) {
      const input = n === 0 ? '{ decision: "reject", rationale: "同一项目已由经信委支持,科委不再支持", alertOutcome: "confirmed" }' : '{ decision: "approve", rationale: "后续阶段,属合规支持", alertOutcome: "dismissed_related" }';
      expect((await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${item.id}", input: ${input}) { id } }`, JXW)).errors).toBeUndefined();
    }
    for (const item of credit) await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${item.id}", input: { decision: "defer", rationale: "待信用修复结果" }) { id } }`, JXW);
    await m(`mutation { recordPosition(meetingId: "${id}", itemId: "${alerts[0].id}", agrees: true) { id } }`, KW);
    await m(`mutation { recordPosition(meetingId: "${id}", itemId: "${alerts[0].id}", agrees: false) { id } }`, ZJ);

    const approved = await m(`mutation { approveMinutes(meetingId: "${id}", minutes: "会议研究了疑似重复资助和信用提示事项,决定如下……") { ${MEETING} } }`, JXW);
    expect(approved.errors).toBeUndefined();
    const done = approved.data!.approveMinutes;
    expect(done.status).toBe('minutes_approved');
    expect(done.participants.find((p: { departmentCode: string }) => p.departmentCode === 'KW')).toEqual({ departmentCode: 'KW', attendees: ['张处长', '李科长'], attended: true });
    expect(done.agenda[0]).toMatchObject({ agreed: ['KW'], dissented: ['ZJ'] });

    // The alerts take the meeting's outcome; the projects' histories show the consultation.
    const first = (await m(`{ duplicateAlert(id: "${alerts[0].alertId}") { status statusReason projectA { code } } }`, KW)).data!.duplicateAlert;
    expect(first).toMatchObject({ status: 'confirmed', statusReason: expect.stringContaining('2026 年第 4 次项目会商') });
    if (alerts[1]) expect((await m(`{ duplicateAlert(id: "${alerts[1].alertId}") { status } }`, KW)).data!.duplicateAlert.status).toBe('dismissed_related');
    const history = (await m(`{ projectHistory(code: "${first.projectA.code}") { action reason changes } }`, ZJ)).data!.projectHistory;
    expect(history.at(-1)).toMatchObject({ action: 'CONSULTATION_DECISION', reason: '同一项目已由经信委支持,科委不再支持', changes: { decision: 'reject', meeting: '2026 年第 4 次项目会商' } });
    const creditHistory = (await m(`{ projectHistory(code: "${credit[0].projectCode}") { action changes } }`, ZJ)).data!.projectHistory;
    expect(creditHistory.at(-1)).toMatchObject({ action: 'CONSULTATION_DECISION', changes: { decision: 'defer' } });
    // Listed by kind, year and status.
    expect((await m('{ meetings(kind: "project", year: 2026, status: "minutes_approved") { id } }', KW)).data!.meetings).toHaveLength(1);
  });

  it('takes a department\'s consultation request and a sub-fund flag onto the agenda; a referral shows on the project and the decision\'s task is set with the minutes', async () => {
    const codes = async (dept: string) => (await m(`{ projects(first: 2, filter: { departments: ["${dept}"] }) { edges { node { code } } } }`, JXW)).data!.projects.edges.map((e: { node: { code: string } }) => e.node.code);
    const [kw1, kw2] = await codes('KW');
    const [zj1, zj2] = await codes('ZJ');
    const REQUEST = 'id departmentCode projectCodes status meetingId declineReason';

    // A department requests on its own projects only; the leading department sees the pending requests and declines one with its reason.
    expect((await m(`mutation { requestConsultation(projectCodes: ["${zj1}"], reason: "跨部门审批") { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await m(`mutation { requestConsultation(projectCodes: [], reason: "") { id } }`, KW)).errors?.[0]?.message).toMatch(/projectCodes.*reason/);
    const asked = (await m(`mutation { requestConsultation(projectCodes: ["${kw1}", "${kw2}"], reason: "与张江管委会同类项目支持方向相近,请会商") { ${REQUEST} } }`, KW)).data!.requestConsultation;
    expect(asked).toMatchObject({ departmentCode: 'KW', projectCodes: [kw1, kw2], status: 'pending' });
    const other = (await m(`mutation { requestConsultation(projectCodes: ["${zj1}"], reason: "请会商") { id } }`, ZJ)).data!.requestConsultation;
    expect((await m('{ consultationRequests(status: "pending") { id } }', JXW)).data!.consultationRequests.map((r: { id: string }) => r.id)).toEqual([asked.id, other.id]);
    expect((await m('{ consultationRequests { id } }', ZJ)).data!.consultationRequests.map((r: { id: string }) => r.id)).toEqual([other.id]);
    expect((await m(`mutation { declineConsultationRequest(requestId: "${asked.id}", reason: "不") { id } }`, ZJ)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const declined = (await m(`mutation { declineConsultationRequest(requestId: "${other.id}", reason: "已按张江管委会规则处理") { ${REQUEST} } }`, JXW)).data!.declineConsultationRequest;
    expect(declined).toMatchObject({ status: 'declined', declineReason: '已按张江管委会规则处理' });
    // ZJ asks again, then withdraws its own request (KW cannot).
    const again = (await m(`mutation { requestConsultation(projectCodes: ["${zj1}"], reason: "再次请会商") { id } }`, ZJ)).data!.requestConsultation;
    expect((await m(`mutation { withdrawConsultationRequest(requestId: "${again.id}", reason: "x") { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await m(`mutation { withdrawConsultationRequest(requestId: "${again.id}", reason: "已自行协调") { status } }`, ZJ)).data!.withdrawConsultationRequest).toEqual({ status: 'withdrawn' });

    // The owning department flags a project as needing another sub-fund; another department cannot.
    expect((await m(`mutation { flagProjectForSubFund(projectCode: "${zj2}", suggestedTo: "RJJCDL-03", reason: "x") { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await m(`mutation { flagProjectForSubFund(projectCode: "${zj2}", suggestedTo: "无此专项", reason: "x") { id } }`, ZJ)).errors?.[0]?.message).toMatch(/suggestedTo: "无此专项" is not a known sub-fund/);
    const flag = (await m(`mutation { flagProjectForSubFund(projectCode: "${zj2}", suggestedTo: "科委", reason: "属成果转化,宜由科委支持") { id suggestedTo status } }`, ZJ)).data!.flagProjectForSubFund;
    expect(flag).toMatchObject({ suggestedTo: 'KW', status: 'open' });

    const id = (await m('mutation { conveneMeeting(input: { kind: "project", title: "2026 年第 5 次项目会商", startsAt: "2026-12-15T09:00:00+08:00", place: "经信委", participants: ["KW", "ZJ"] }) { id } }', JXW)).data!.conveneMeeting.id;
    const built = (await m(`mutation { buildAgenda(meetingId: "${id}") { agenda { id seq kind projectCode requestId flagId } } }`, JXW)).data!.buildAgenda.agenda;
    expect(built.filter((i: { requestId: string | null }) => i.requestId === asked.id).map((i: { projectCode: string }) => i.projectCode)).toEqual([kw1, kw2]);
    expect(built.filter((i: { flagId: string | null }) => i.flagId === flag.id).map((i: { projectCode: string }) => i.projectCode)).toEqual([zj2]);
    expect((await m(`{ consultationRequests(department: "KW") { status meetingId } }`, KW)).data!.consultationRequests[0]).toEqual({ status: 'scheduled', meetingId: id });

    // Materials: the leading department's; every participant reads them with the meeting.
    expect((await m(`mutation { attachMeetingMaterials(meetingId: "${id}", materials: [{ name: "x", ref: "y" }]) { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await m(`mutation { attachMeetingMaterials(meetingId: "${id}", materials: [{ name: "议程", ref: "" }]) { id } }`, JXW)).errors?.[0]?.message).toMatch(/materials\[0\]/);
    await m(`mutation { attachMeetingMaterials(meetingId: "${id}", materials: [{ name: "会议议程", ref: "oa://2026/1215-agenda.pdf" }]) { id } }`, JXW);
    expect((await m(`{ meeting(id: "${id}") { materials { name ref } } }`, ZJ)).data!.meeting.materials).toEqual([{ name: '会议议程', ref: 'oa://2026/1215-agenda.pdf' }]);

    await m(`mutation { freezeAgenda(meetingId: "${id}") { id } }`, JXW);
    await m(`mutation { holdMeeting(meetingId: "${id}") { id } }`, JXW);
    const referred = built.find((i: { projectCode: string }) => i.projectCode === kw1);
    const refer = `{ decision: "refer", rationale: "属首轮流片,转软件集成电路专项支持", referredTo: "RJJCDL-03", followUpTasks: [{ title: "转交项目申报材料", lead: ["科委"], cooperating: ["经信委"], deadline: "2026 年底" }] }`;
    expect((await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${referred.id}", input: ${refer}) { id } }`, KW)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badTask = await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${referred.id}", input: { decision: "refer", rationale: "x", referredTo: "RJJCDL-03", followUpTasks: [{ title: "t", lead: ["KW"], deadline: "明年" }] }) { id } }`, JXW);
    expect(badTask.errors?.[0]?.message).toMatch(/followUpTasks\[0\]\.deadline/);
    expect((await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${referred.id}", input: ${refer}) { id } }`, JXW)).errors).toBeUndefined();
    for (const i of built.filter((x: { id: string }) => x.id !== referred.id))
      expect((await m(`mutation { decideAgendaItem(meetingId: "${id}", itemId: "${i.id}", input: { decision: "defer", rationale: "下次会商" }) { id } }`, JXW)).errors).toBeUndefined();

    const CONSULTATION = `{ project(code: "${kw1}") { consultation { decidedIn decision referredTo { kind code departmentCode } } } }`;
    expect((await m(CONSULTATION, ZJ)).data!.project.consultation).toBeNull();
    expect((await m(`mutation { approveMinutes(meetingId: "${id}", minutes: "转交及跟踪任务如决定") { status } }`, JXW)).data!.approveMinutes.status).toBe('minutes_approved');
    expect((await m(CONSULTATION, ZJ)).data!.project.consultation).toEqual({ decidedIn: id, decision: 'refer', referredTo: { kind: 'sub_fund', code: 'RJJCDL-03', departmentCode: 'JXW' } });
    const tasks = (await m(`{ tasks(filter: { meetingId: "${id}" }) { title leadCodes deadlineText dueDate meetingId agendaItemId source } }`, KW)).data!.tasks;
    expect(tasks).toEqual([{ title: '转交项目申报材料', leadCodes: ['KW'], deadlineText: '2026 年底', dueDate: '2026-12-31', meetingId: id, agendaItemId: referred.id, source: `2026 年第 5 次项目会商 第 ${referred.seq} 项议题` }]);
    expect((await m('{ consultationRequests(department: "KW") { status } }', KW)).data!.consultationRequests[0].status).toBe('decided');
    // The flagged project was deferred: its flag is open again, for a later meeting.
    expect((await m('{ projectFlags(status: "resolved") { id } }', FGW)).data!.projectFlags).toEqual([]);
    expect((await m('{ projectFlags(status: "open") { id } }', FGW)).data!.projectFlags).toEqual([{ id: flag.id }]);
  });

  it('compiles the departments\' guidelines: overlapping directions on the agenda, divided by the meeting', async () => {
    await m('mutation { submitGuideline(year: 2027, title: "2027 年产业技术创新指南", directions: ["集成电路装备与材料攻关", "工业互联网平台建设"]) { id } }', JXW);
    await m('mutation { submitGuideline(year: 2027, title: "2027 年科技创新行动计划指南", directions: ["集成电路装备关键材料攻关", "脑科学与类脑智能"]) { id } }', KW);
    const meet = (await m('mutation { conveneMeeting(input: { kind: "guideline", title: "2027 年指南编制会商", startsAt: "2026-11-30T09:00:00+08:00", place: "经信委", participants: ["KW"], year: 2027 }) { id } }', JXW)).data!.conveneMeeting.id;
    const built = (await m(`mutation { buildAgenda(meetingId: "${meet}") { agenda { id kind title reason guidelineIds } } }`, JXW)).data!.buildAgenda.agenda;
    expect(built).toHaveLength(1);
    expect(built[0]).toMatchObject({ kind: 'guideline', title: '指南方向重叠:JXW「集成电路装备与材料攻关」/ KW「集成电路装备关键材料攻关」' });
    expect(built[0].guidelineIds).toHaveLength(2);
    await m(`mutation { freezeAgenda(meetingId: "${meet}") { id } }`, JXW);
    await m(`mutation { holdMeeting(meetingId: "${meet}") { id } }`, JXW);
    const noDivision = await m(`mutation { decideAgendaItem(meetingId: "${meet}", itemId: "${built[0].id}", input: { decision: "merge", rationale: "避免重复" }) { id } }`, JXW);
    expect(noDivision.errors?.[0]?.message).toMatch(/division/);
    await m(`mutation { decideAgendaItem(meetingId: "${meet}", itemId: "${built[0].id}", input: { decision: "merge", rationale: "避免重复", division: "装备由经信委支持,材料由科委支持" }) { id } }`, JXW);
    await m(`mutation { approveMinutes(meetingId: "${meet}", minutes: "指南分工如决定") { id } }`, JXW);
    const guidelines = (await m('{ guidelines(year: 2027) { departmentCode status } }', ZJ)).data!.guidelines;
    expect(guidelines).toEqual([{ departmentCode: 'JXW', status: 'compiled' }, { departmentCode: 'KW', status: 'compiled' }]);
  });

  it('creates a fund only after a fund-establishment meeting decided so', async () => {
    const proposed = await m('mutation { proposeFund(name: "集成电路设计产业专项资金", direction: "支持集成电路设计企业首轮流片", budgetYuan: "50000000") { id status overlaps { fundCode level } } }', KW);
    expect(proposed.errors).toBeUndefined();
    const p = proposed.data!.proposeFund;
    expect(p.overlaps[0]).toMatchObject({ fundCode: 'RJJCDL', level: 'overlap' });
    const tooEarly = await m(`mutation { establishFund(proposalId: "${p.id}") { status } }`, KW);
    expect(tooEarly.errors?.[0]?.extensions?.code).toBe('RULE_VIOLATION');

    const meet = (await m('mutation { conveneMeeting(input: { kind: "fund_establishment", title: "专项资金设立会商", startsAt: "2026-12-10T09:00:00+08:00", place: "财政局", participants: ["KW", "CZJ"] }) { id } }', JXW)).data!.conveneMeeting.id;
    const withItem = await m(`mutation { addAgendaItem(meetingId: "${meet}", input: { kind: "fund_proposal", fundProposalId: "${p.id}", title: "设立集成电路设计产业专项资金" }) { agenda { id } } }`, JXW);
    const itemId = withItem.data!.addAgendaItem.agenda[0].id;
    await m(`mutation { freezeAgenda(meetingId: "${meet}") { id } }`, JXW);
    await m(`mutation { holdMeeting(meetingId: "${meet}") { id } }`, JXW);
    await m(`mutation { decideAgendaItem(meetingId: "${meet}", itemId: "${itemId}", input: { decision: "approve", rationale: "与软件和集成电路专项分工:本专项仅支持设计企业首轮流片之后的量产" }) { id } }`, JXW);
    expect((await m(`mutation { approveMinutes(meetingId: "${meet}", minutes: "同意设立") { status } }`, JXW)).data!.approveMinutes.status).toBe('minutes_approved');
    const established = await m(`mutation { establishFund(proposalId: "${p.id}") { status fundCode decidedIn } }`, KW);
    expect(established.errors).toBeUndefined();
    expect(established.data!.establishFund).toMatchObject({ status: 'sent_to_leading_group', decidedIn: meet });
    expect(established.data!.establishFund.fundCode).toBeTruthy();
  });
});
