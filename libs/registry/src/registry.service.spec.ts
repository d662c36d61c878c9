import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { parseProjectCode } from '#encoding';
import { HistoryService } from '#history';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { ProjectStatus } from './lifecycle.js';
import { RegistryService } from './registry.service.js';
import { DelegationService } from './delegation.service.js';
import type { Caller, RegisterProjectInput } from './registry.types.js';

/** Real credit codes of ../shared/bench/orgs/registry.csv. */
const ORG_A = { uscc: '91320191790421052D', name: '南京欣网通信科技股份有限公司' };
const ORG_B = { uscc: '91341602MA2UR8R5XX', name: '亳州市明宇信息技术有限公司' };


describe(`registry (${testDbKind()} database)`, () => {
  let app: INestApplicationContext;
  let registry: RegistryService;
  let ds: DataSource;
  const callers: Record<string, Caller> = {};

  const kwProject = (over: Partial<RegisterProjectInput> = {}): RegisterProjectInput => ({
    fund: 'CGZHYY',
    subFund: '6',
    year: 2024,
    title: '高性能工业机器人关节减速器研发及产业化',
    organisation: ORG_A,
    leader: { name: '严竹润' },
    supportMethodCode: 'GRANT',
    requestedYuan: '3000000',
    selfRaisedYuan: '9000000',
    totalInvestmentYuan: '12000000',
    plannedStart: '2024-04-01',
    plannedEnd: '2026-03-31',
    ...over,
  });

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(
      PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false }),
      { logger: false },
    );
    await app.get(SeedService).seed({ demo: false });
    registry = app.get(RegistryService);
    ds = app.get<DataSource>(getDataSourceToken());
    const roles: Record<string, Caller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', FGW: 'READER', XXZX: 'INFORMATION_CENTER', MHKW: 'LEADING', DSF: 'STAFF' };
    for (const d of await app.get(ReferenceService).departments()) {
      if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
    }
  });
  afterAll(() => app?.close());

  it('registers a project with a unified code, its organisation, leader and history', async () => {
    const p = await registry.register(callers.KW!, kwProject({ localId: 'KW-2024-0001', keywords: ['机器人', '减速器'] }));
    expect(p.code).toMatch(/^3100002024KW00006000001[0-9A-Z]$/);
    expect(parseProjectCode(p.code)).toMatchObject({ ok: true, parts: { jurisdiction: '310000', year: 2024, department: 'KW', subFund: '06', sequence: 1 } });
    expect(p).toMatchObject({ status: ProjectStatus.DRAFT, categoryCode: 'KJGG', requestedFen: 300000000n, totalInvestmentFen: 1200000000n, version: 1 });
    expect(p.organisation).toMatchObject({ uscc: ORG_A.uscc, usccStatus: 'valid', name: ORG_A.name });
    expect(p.leader?.name).toBe('严竹润');
    expect(p.keywords).toEqual(['机器人', '减速器']);
    expect(p.localIds).toEqual([{ departmentId: callers.KW!.departmentId, localId: 'KW-2024-0001' }]);

    expect((await registry.get(p.code.toLowerCase())).id).toBe(p.id);
    expect((await registry.getByLocalId('科委', 'KW-2024-0001')).code).toBe(p.code);
    const history = await app.get(HistoryService).list('project', p.id);
    expect(history.map((h) => h.action)).toEqual(['REGISTERED', 'LOCAL_ID_LINKED']);
    expect(history[0]!.departmentId).toBe(callers.KW!.departmentId);
  });

  it('mints 200 distinct codes for 200 registrations at once in the same department, sub-fund and year', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => registry.register(callers.ZJ!, { fund: 'ZJZZCX', subFund: '08', year: 2025, title: `并发登记测试项目 ${i}`, organisation: ORG_B })),
    );
    const codes = results.map((r) => r.code);
    expect(new Set(codes).size).toBe(200);
    const sequences = codes.map((c) => (parseProjectCode(c) as { parts: { sequence: number } }).parts.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // One organisation, however many registrations raced to create it.
    expect(new Set(results.map((r) => r.organisation.id)).size).toBe(1);
  });

  it('keeps every name an organisation was registered under and finds it by any of them', async () => {
    const variant = '南京欣网通信科技股份公司';
    await registry.register(callers.ZJ!, { fund: 'ZJZZCX', subFund: '09', year: 2024, title: '通信设备行业标准制定', organisation: { uscc: ORG_A.uscc, name: variant } });
    const org = await registry.organisation(ORG_A.uscc);
    expect(org.name).toBe(ORG_A.name);
    expect(org.names.map((n) => n.name)).toEqual([ORG_A.name, variant]);
    expect(org.names[1]!.departmentId).toBe(callers.ZJ!.departmentId);
    expect((await registry.organisation(variant)).id).toBe(org.id);

    const renamed = await registry.renameOrganisation(callers.KW!, ORG_A.uscc, '南京欣网通信科技集团股份有限公司', '工商变更');
    expect(renamed.name).toBe('南京欣网通信科技集团股份有限公司');
    expect(renamed.names.map((n) => n.name)).toEqual(expect.arrayContaining([ORG_A.name, variant, '南京欣网通信科技集团股份有限公司']));
    expect((await registry.organisation(ORG_A.name)).id).toBe(org.id);
    expect((await app.get(HistoryService).list('organisation', org.id)).map((h) => h.action)).toEqual(['REGISTERED', 'NAME_ADDED', 'RENAMED']);
  });

  it('refuses a malformed credit code, and keeps a failing check character only when asked, as unverified', async () => {
    const malformed = await rejection(registry.register(callers.KW!, kwProject({ organisation: { uscc: '9132019179042105', name: 'x' } })));
    expect(malformed.code).toBe('VALIDATION_FAILED');
    expect(malformed.message).toMatch(/organisation.uscc: "9132019179042105" is not a credit code: must be 18 characters, got 16/);

    const wrongCheck = '91320191790421052E';
    const refused = await rejection(registry.register(callers.KW!, kwProject({ organisation: { uscc: wrongCheck, name: '某单位' } })));
    expect(refused.message).toMatch(/organisation.uscc: check character is "E", the code's characters give "D"; to store it anyway, marked unverified, set allowUnverifiedUscc/);

    const kept = await registry.register(callers.KW!, kwProject({ organisation: { uscc: wrongCheck, name: '某单位', allowUnverifiedUscc: true } }));
    expect(kept.organisation).toMatchObject({ uscc: wrongCheck, usccStatus: 'unverified' });
  });

  it('names every bad field at once', async () => {
    const err = await rejection(
      registry.register(callers.KW!, kwProject({ year: 1800, title: ' ', subFund: '9', requestedYuan: '-5', plannedStart: '2024-02-30', supportMethodCode: 'GIFT' })),
    );
    const fields = (err.details.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(['plannedStart', 'requestedYuan', 'subFund', 'supportMethodCode', 'title', 'year']);
    const wrongFund = await rejection(registry.register(callers.KW!, kwProject({ fund: 'CYJSCX' })));
    expect(wrongFund.message).toMatch(/fund: CYJSCX \(产业技术创新专项\) is not a fund of KW/);
  });

  it('moves a project only along allowed transitions, saying which are allowed', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '状态流转测试' }));
    const err = await rejection(registry.transition(callers.KW!, p.code, ProjectStatus.APPROVED));
    expect(err.code).toBe('INVALID_TRANSITION');
    expect(err.details).toEqual({ current: 'DRAFT', requested: 'APPROVED', allowed: ['ACCEPTED', 'REJECTED', 'WITHDRAWN'] });
    expect(err.message).toMatch(/is DRAFT \(申报\); it cannot move to APPROVED \(立项\)/);

    for (const to of [ProjectStatus.ACCEPTED, ProjectStatus.PRELIMINARY_CHECK, ProjectStatus.EXPERT_REVIEW]) await registry.transition(callers.KW!, p.code, to);
    const approved = await registry.transition(callers.KW!, p.code, ProjectStatus.APPROVED, { approvedYuan: '2500000', reason: '评审通过' });
    expect(approved).toMatchObject({ status: 'APPROVED', approvedFen: 250000000n, version: 5 });
    await registry.transition(callers.KW!, p.code, ProjectStatus.IN_IMPLEMENTATION);

    // Only the leading department terminates a running project.
    const forbidden = await rejection(registry.transition(callers.KW!, p.code, ProjectStatus.TERMINATED));
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.message).toMatch(/needs the leading department/);
    const terminated = await registry.transition(callers.JXW!, p.code, ProjectStatus.TERMINATED, { reason: '违规使用资金' });
    expect(terminated.status).toBe('TERMINATED');
    const history = await app.get(HistoryService).list('project', p.id);
    expect(history.at(-1)).toMatchObject({ action: 'TRANSITION', reason: '违规使用资金', departmentId: callers.JXW!.departmentId, changes: { status: { before: 'IN_IMPLEMENTATION', after: 'TERMINATED' } } });
  });

  it('lets only the owning department change a project', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '归属测试' }));
    const byOther = await rejection(registry.update(callers.ZJ!, p.code, { title: '改名' }));
    expect(byOther.code).toBe('FORBIDDEN');
    expect(byOther.message).toMatch(/belongs to KW; only its own department changes it/);
    expect((await rejection(registry.transition(callers.ZJ!, p.code, ProjectStatus.ACCEPTED))).code).toBe('FORBIDDEN');
    expect((await rejection(registry.update(callers.FGW!, p.code, { title: '改名' }))).message).toMatch(/READER key, which reads but does not change/);
    expect((await rejection(registry.register(callers.KW!, { ...kwProject(), department: 'ZJ' }))).message).toMatch(/KW cannot act for ZJ/);

    const updated = await registry.update(callers.KW!, p.code, { title: '归属测试(修订)', requestedYuan: '2000000' }, { reason: '申报书修订' });
    expect(updated).toMatchObject({ title: '归属测试(修订)', requestedFen: 200000000n, version: 2 });
    const stale = await rejection(registry.update(callers.KW!, p.code, { summary: 'x' }, { expectedVersion: 1 }));
    expect(stale.code).toBe('CONFLICT');
    const last = (await app.get(HistoryService).list('project', p.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'UPDATED', reason: '申报书修订' });
    expect(last.changes).toEqual({ title: { before: '归属测试', after: '归属测试(修订)' }, requestedYuan: { before: '3000000.00', after: '2000000.00' } });
  });

  it('extends a project once, by at most 12 months', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '延期测试', status: ProjectStatus.IN_IMPLEMENTATION, approvedYuan: '3000000' }));
    expect((await rejection(registry.recordExtension(callers.KW!, p.code, 13, '设备延迟到货'))).message).toMatch(/months: must be a whole number from 1 to 12/);
    const extended = await registry.recordExtension(callers.KW!, p.code, 12, '设备延迟到货');
    expect(extended).toMatchObject({ extensionMonths: 12, plannedEnd: '2027-03-31' });
    const again = await rejection(registry.recordExtension(callers.KW!, p.code, 1, '再次延期'));
    expect(again.code).toBe('RULE_VIOLATION');
    expect(again.message).toMatch(/already extended by 12 months; a project may be extended once/);
  });

  it('applies the fund\'s rules on registration and approval (Minhang, 001)', async () => {
    const mh = (over: Partial<RegisterProjectInput>): RegisterProjectInput => ({
      fund: 'MHGJHX', subFund: '01', year: 2025, title: '高端数控机床主轴关键技术攻关', organisation: ORG_B, catalogItemCode: 'MH01',
      requestedYuan: '5000000', selfRaisedYuan: '5000000', totalInvestmentYuan: '10000000', ...over,
    });
    const noCatalog = await rejection(registry.register(callers.MHKW!, mh({ catalogItemCode: null })));
    expect(noCatalog.message).toMatch(/catalogItemCode: fund MHGJHX requires a key-technology catalog item/);

    const tooMuch = await rejection(registry.register(callers.MHKW!, mh({ requestedYuan: '12000000', selfRaisedYuan: '6000000', totalInvestmentYuan: '18000000' })));
    expect(tooMuch.code).toBe('RULE_VIOLATION');
    expect((tooMuch.details.violations as { rule: string }[]).map((v) => v.rule).sort()).toEqual(['MAX_AMOUNT', 'MAX_SHARE_OF_TOTAL_INVESTMENT', 'SELF_RAISED_AT_LEAST_REQUESTED']);

    const ok = await registry.register(callers.MHKW!, mh({ status: ProjectStatus.EXPERT_REVIEW }));
    expect(ok.code.slice(0, 17)).toBe('3101122025MHKW001');
    const overApproved = await rejection(registry.transition(callers.MHKW!, ok.code, ProjectStatus.APPROVED, { approvedYuan: '5000001' }));
    expect(overApproved.code).toBe('RULE_VIOLATION');
    expect(overApproved.message).toMatch(/approved 500.00 万元 is more than 50% of total investment 1000.00 万元/);
    expect((await registry.get(ok.code)).status).toBe('EXPERT_REVIEW');
  });

  it('keeps one project per department local ID and links further IDs', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '编号映射测试', localId: 'KW-X-1' }));
    const dup = await rejection(registry.register(callers.KW!, kwProject({ title: '另一个项目', localId: 'KW-X-1' })));
    expect(dup.code).toBe('CONFLICT');
    expect(dup.message).toMatch(new RegExp(`KW local ID "KW-X-1" already belongs to project ${p.code}`));
    const linked = await registry.linkLocalId(callers.XXZX!, p.code, 'ZJ-REF-77', 'ZJ');
    expect(linked.localIds.map((l) => l.localId)).toEqual(['KW-X-1', 'ZJ-REF-77']);
    expect((await registry.getByLocalId('ZJ', 'ZJ-REF-77')).code).toBe(p.code);
    await expect(registry.getByLocalId('KW', 'nope')).rejects.toThrow(/does not exist/);
  });

  it('tells a mistyped code from an unknown one', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '编码校验测试' }));
    const typo = p.code.slice(0, 22) + (p.code[22] === '9' ? '8' : '9') + p.code[23];
    expect((await rejection(registry.get(typo))).code).toBe('INVALID_CODE');
    const other = `${p.code.slice(0, 17)}999999`;
    const valid = other + (await import('#encoding')).mod3736Check(other);
    expect((await rejection(registry.get(valid))).code).toBe('NOT_FOUND');
  });

  it('lists projects by filter with cursor pages and a total', async () => {
    const page1 = await registry.list({ departmentIds: [callers.ZJ!.departmentId], years: [2025] }, 150);
    expect(page1.totalCount).toBe(200);
    expect(page1.countExact).toBe(true);
    expect(page1.items).toHaveLength(150);
    expect(page1.hasNext).toBe(true);
    const page2 = await registry.list({ departmentIds: [callers.ZJ!.departmentId], years: [2025] }, 150, page1.items.at(-1)!.code);
    expect(page2.items).toHaveLength(50);
    expect(page2.hasNext).toBe(false);
    expect(new Set([...page1.items, ...page2.items].map((p) => p.code)).size).toBe(200);

    expect((await registry.list({ keyword: '减速器' }, 10)).items.map((p) => p.title)).toContain('高性能工业机器人关节减速器研发及产业化');
    expect((await registry.list({ organisation: '欣网通信' }, 200)).totalCount).toBeGreaterThan(1);
    expect((await registry.list({ organisation: ORG_B.uscc, statuses: [ProjectStatus.EXPERT_REVIEW] }, 10)).totalCount).toBe(1);
    expect((await registry.list({ leader: '严竹润' }, 50)).totalCount).toBeGreaterThan(0);
    expect((await registry.list({ amountMinFen: 290000000n, amountMaxFen: 300000000n, departmentIds: [callers.KW!.departmentId] }, 50)).items.every((p) => (p.approvedFen ?? p.requestedFen)! >= 290000000n)).toBe(true);
  });

  it('lets a third-party agency manage the projects a department delegated to it, while the delegation lasts', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '委托管理测试' }));
    expect((await rejection(registry.transition(callers.DSF!, p.code, ProjectStatus.ACCEPTED))).code).toBe('FORBIDDEN');
    const delegations = app.get(DelegationService);
    expect((await rejection(delegations.grant({ agency: 'ZJ', department: 'KW' }))).message).toMatch(/agency: ZJ is not a third-party agency/);
    expect((await rejection(delegations.grant({ agency: 'DSF', department: 'KW', until: '2020-01-01' }))).message).toMatch(/until: 2020-01-01 is before/);
    await delegations.grant({ agency: 'DSF', department: 'KW' });

    expect((await registry.transition(callers.DSF!, p.code, ProjectStatus.ACCEPTED, { reason: '受托受理' })).status).toBe('ACCEPTED');
    expect((await registry.update(callers.DSF!, p.code, { summary: '机构补充材料' })).summary).toBe('机构补充材料');
    const byAgency = await registry.register(callers.DSF!, { ...kwProject({ title: '机构代为登记' }), department: 'KW' });
    expect(byAgency.code.slice(10, 15)).toBe('KW000');
    // Not for a department that did not delegate.
    const zj = await registry.register(callers.ZJ!, { fund: 'ZJZZCX', subFund: '10', year: 2024, title: '非委托部门项目', organisation: ORG_B });
    expect((await rejection(registry.update(callers.DSF!, zj.code, { summary: 'x' }))).code).toBe('FORBIDDEN');

    await delegations.revoke({ agency: 'DSF', department: 'KW' });
    expect((await rejection(registry.update(callers.DSF!, p.code, { summary: '撤销后' }))).code).toBe('FORBIDDEN');
    const history = await app.get(HistoryService).list('project', p.id);
    expect(history[1]).toMatchObject({ action: 'TRANSITION', departmentId: callers.DSF!.departmentId });
  });

  it('links a department record to the one project it describes, and lists the others for the department', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '记录关联测试项目', year: 2023 }));
    const linked = await registry.linkRecord(callers.KW!, { localId: 'OLD-1', title: '记录关联测试项目', year: 2023, organisation: { uscc: ORG_A.uscc } });
    expect(linked).toMatchObject({ linked: true, reason: null, candidates: [p.code] });
    expect((await registry.getByLocalId('KW', 'OLD-1')).code).toBe(p.code);

    const none = await registry.linkRecord(callers.KW!, { localId: 'OLD-2', title: '没有这个项目', year: 2023, organisation: { name: ORG_A.name } });
    expect(none).toMatchObject({ linked: false, reason: 'NO_MATCH', candidates: [] });

    const twin1 = await registry.register(callers.KW!, kwProject({ title: '重名项目', year: 2022 }));
    const twin2 = await registry.register(callers.KW!, kwProject({ title: '重名项目', year: 2022 }));
    const ambiguous = await registry.linkRecord(callers.KW!, { localId: 'OLD-3', title: '重名 项目', year: 2022, organisation: { name: ORG_A.name } });
    expect(ambiguous).toMatchObject({ linked: false, reason: 'AMBIGUOUS', candidates: [twin1.code, twin2.code].sort() });

    const open = await registry.unlinkedRecords(callers.KW!);
    expect(open.map((r) => [r.localId, r.reason])).toEqual([['OLD-2', 'NO_MATCH'], ['OLD-3', 'AMBIGUOUS']]);
    expect(await registry.unlinkedRecords(callers.ZJ!)).toEqual([]);

    // The department decides; the record leaves the list.
    await registry.linkLocalId(callers.KW!, twin2.code, 'OLD-3');
    expect((await registry.unlinkedRecords(callers.KW!)).map((r) => r.localId)).toEqual(['OLD-2']);
    // Reported again while still open, it keeps the day it was first reported (reports count it from then).
    const first = (await registry.unlinkedRecords(callers.KW!))[0]!.reportedAt;
    await new Promise((r) => setTimeout(r, 5));
    await registry.linkRecord(callers.KW!, { localId: 'OLD-2', title: '没有这个项目', year: 2023, organisation: { name: ORG_A.name } });
    expect((await registry.unlinkedRecords(callers.KW!))[0]!.reportedAt).toEqual(first);
  });

  it('registers a batch by the same rules as one at a time: a code arriving later, a second name, the same leader', async () => {
    const base = { fund: 'CGZHYY', subFund: '7', year: 2026 };
    const results = await registry.registerMany(callers.KW!, [
      { ...base, title: '批量一', organisation: { name: '上海批量测试科技有限公司' }, leader: { name: '孙海燕', idNumber: '11010519491231002X' }, localId: 'BATCH-1' },
      { ...base, title: '批量二', organisation: { name: '上海批量测试科技有限公司', uscc: '913401005872104446' }, localId: 'BATCH-2' },
      { ...base, title: '批量三', organisation: { name: '上海批量测试科技有限责任公司', uscc: '913401005872104446' }, leader: { name: '孙海燕' }, localId: 'BATCH-3' },
      { ...base, title: '批量四', organisation: { name: '上海批量测试科技有限公司' }, leader: { name: '孙海燕' }, localId: 'BATCH-3' },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(((results[3] as { error: Error }).error).message).toMatch(/local ID "BATCH-3" is given twice in this batch/);
    const [p1, p2, p3] = await Promise.all(['BATCH-1', 'BATCH-2', 'BATCH-3'].map((id) => registry.getByLocalId('KW', id)));
    // First seen by name only, then with its code, then under a second name: one organisation.
    expect(new Set([p1!.organisation.id, p2!.organisation.id, p3!.organisation.id]).size).toBe(1);
    expect(p1!.organisation).toMatchObject({ uscc: '913401005872104446', usccStatus: 'valid' });
    expect(p3!.leader!.id).toBe(p1!.leader!.id);
    const orgHistory = await app.get(HistoryService).list('organisation', p1!.organisation.id);
    expect(orgHistory.map((h) => h.action)).toEqual(['REGISTERED', 'CODE_ADDED', 'NAME_ADDED']);
    expect(orgHistory[2]!.changes).toEqual({ name: '上海批量测试科技有限责任公司' });
  });

  it('puts rows linked by a credit code or a name in one lane', async () => {
    const { organisationGroups } = await import('./registry.service.js');
    const lanes = organisationGroups(
      [
        { uscc: 'A', name: 'n1' },
        { uscc: null, name: 'n2' },
        { uscc: 'A', name: 'n3' },
        { uscc: 'B', name: 'n2' },
        { uscc: null, name: 'n3' },
      ],
      2,
    );
    expect(lanes[0]).toBe(lanes[2]);
    expect(lanes[2]).toBe(lanes[4]);
    expect(lanes[1]).toBe(lanes[3]);
  });

  it('detects a tampered history entry', async () => {
    const p = await registry.register(callers.KW!, kwProject({ title: '留痕篡改测试' }));
    await registry.update(callers.KW!, p.code, { summary: '第一次修改' });
    expect(await app.get(HistoryService).verify({ entityType: 'project', entityId: p.id })).toMatchObject({ ok: true, entries: 2 });

    // The table refuses changes…
    await expect(ds.query(`UPDATE history_entry SET reason = 'x' WHERE entity_id = $1`, [p.id])).rejects.toThrow(/append-only/);
    // …so a forger with superuser rights goes around the trigger.
    await ds.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`UPDATE history_entry SET changes = '{"summary":{"before":"","after":"伪造"}}' WHERE entity_id = $1 AND seq = 2`, [p.id]);
    });
    const report = await app.get(HistoryService).verify({ entityType: 'project', entityId: p.id });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ seq: 2, problem: expect.stringMatching(/does not match its hash/) })]);
    const all = await app.get(HistoryService).verify();
    expect(all.ok).toBe(false);
    expect(all.records).toBeGreaterThan(200);
  });
});
