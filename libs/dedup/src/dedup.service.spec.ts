import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { HistoryService } from '#history';
import { ImportService } from '#integration';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { RegistryService, type Caller } from '#registry';
import { projectRoot } from '#shared/core/index.js';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { DedupService } from './dedup.service.js';

const bench = (...p: string[]) => join(projectRoot(), '..', 'shared', 'bench', ...p);
type Rec = Record<string, string>;
const records = parse(readFileSync(bench('synthetic', 'records.csv'), 'utf8'), { columns: true }) as Rec[];
const byId = new Map(records.map((r) => [r.id!, r]));
const HEADER = Object.keys(records[0]!);
const csvOf = (rows: Rec[]) => Buffer.from(stringify(rows, { header: true, columns: HEADER }));


describe(`duplicate detection on the registry (${testDbKind()} database)`, () => {
  let app: INestApplicationContext;
  let dedup: DedupService;
  let registry: RegistryService;
  let imports: ImportService;
  const callers: Record<string, Caller> = {};
  const idOf = async (rec: Rec) => (await registry.getByLocalId(rec.department!, rec.id!)).id;

  // Real planted examples from ../shared/bench/synthetic:
  // D070000008 / D070000009: 合肥讯腾电子科技有限公司 (no credit code, 2022) and 讯腾电子科技（合肥）有限公司 (with code, 2023),
  // the second title in traditional characters and reworded — one organisation written two ways, the code missing on one side.
  const twoWays = [byId.get('D070000008')!, byId.get('D070000009')!];
  // D070000108 / D070000110: 合肥仁丰智能科技有限公司 without a code and 仁丰智能科技（合肥）有限公司 with one, at two departments.
  const codeMissing = [byId.get('D070000108')!, byId.get('D070000110')!];
  // A generic title many unrelated companies use: must not match across them.
  const generic = records.filter((r) => r.title === '市级企业技术中心建设项目').slice(0, 12);

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false }), { logger: false });
    await app.get(SeedService).seed({ demo: false });
    dedup = app.get(DedupService);
    registry = app.get(RegistryService);
    imports = app.get(ImportService);
    const roles: Record<string, Caller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', FGW: 'READER', XXZX: 'INFORMATION_CENTER' };
    for (const d of await app.get(ReferenceService).departments()) if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
    expect(new Set(generic.map((r) => r.org_name)).size).toBe(generic.length);
  });
  afterAll(() => app?.close());

  it('checks an import against the whole registry and stores an alert per pair, with the reasons', async () => {
    // The earlier projects first, as a department would have registered them, then the later ones.
    const first = await imports.run(callers.XXZX!, { name: 'first.csv', content: csvOf([twoWays[0]!, codeMissing[0]!, ...generic.slice(0, 6)]) }, {});
    expect(first).toMatchObject({ created: 8, failed: 0 });
    const second = await imports.run(callers.XXZX!, { name: 'second.csv', content: csvOf([twoWays[1]!, codeMissing[1]!, ...generic.slice(6)]) }, {});
    expect(second).toMatchObject({ created: 8, failed: 0, duplicates: { checked: 8 } });
    expect(second.duplicates!.raised).toBeGreaterThanOrEqual(2);

    const [a, b] = await Promise.all(twoWays.map(idOf));
    const alerts = (await dedup.listAlerts({ projectId: a }, 50)).items;
    const pair = alerts.find((x) => [x.projectA, x.projectB].includes(b!));
    expect(pair).toBeDefined();
    expect(pair!.status).toBe('open');
    const fields = pair!.evidence.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['organisation', 'leader', 'title']));
    // The organisation's two spellings, with the normal form that makes them one.
    expect(pair!.evidence.find((e) => e.field === 'organisation')!.detail).toMatch(/讯腾/);
  });

  it('finds the same organisation when the credit code is missing on one side', async () => {
    const [a, b] = await Promise.all(codeMissing.map(idOf));
    const alerts = (await dedup.listAlerts({ projectId: a }, 50)).items;
    const pair = alerts.find((x) => [x.projectA, x.projectB].includes(b!));
    expect(pair).toBeDefined();
    expect(pair!.evidence.some((e) => e.field === 'uscc' && e.weight < 0)).toBe(false);
  });

  it('does not match unrelated companies that share a generic title', async () => {
    const ids = new Set(await Promise.all(generic.map(idOf)));
    const { items } = await dedup.listAlerts({}, 500);
    const between = items.filter((x) => ids.has(x.projectA) && ids.has(x.projectB));
    expect(between).toEqual([]);
  });

  it('checks a draft that is not registered without storing anything, and names bad fields', async () => {
    const before = (await dedup.listAlerts({}, 500)).totalCount;
    const r = twoWays[0]!;
    const found = await dedup.check({ title: '數控機床主轴國產化開發及推廣應用', organisation: { name: '讯腾电子科技（合肥）有限责任公司' }, leader: r.leader, year: 2024 });
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.project.title).toMatch(/数控机床主轴|數控機床主轴/);
    expect(found[0]!.evidence.length).toBeGreaterThan(0);
    expect((await dedup.listAlerts({}, 500)).totalCount).toBe(before);

    const bad = await rejection(dedup.check({ title: ' ', organisation: { name: '', uscc: '9132019179042105' }, year: 1800 }));
    expect(bad.code).toBe('VALIDATION_FAILED');
    expect(bad.message).toMatch(/title/);
    expect(bad.message).toMatch(/organisation\.name/);
    expect(bad.message).toMatch(/organisation\.uscc/);
    expect(bad.message).toMatch(/year/);
  });

  it('scans the registry as a batch, storing each pair once however often it runs', async () => {
    const one = await dedup.scan({});
    const total = (await dedup.listAlerts({}, 500)).totalCount;
    expect(one.outcome.raised).toBe(0); // the import's check already raised them
    expect(one.outcome.rescored).toBe(total);
    const two = await dedup.scan({});
    expect(two.outcome).toMatchObject({ raised: 0, reopened: 0 });
    expect((await dedup.listAlerts({}, 500)).totalCount).toBe(total);
    // One year's pairs only.
    const y = await dedup.scan({ year: 2022 });
    expect(y.alerts.likely + y.alerts.possible).toBeLessThanOrEqual(total);
    expect(await rejection(dedup.scan({ department: 'NOPE' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps a review decision, with its reason in history, until a project changes materially', async () => {
    const [a, b] = await Promise.all(codeMissing.map(idOf));
    const alert = (await dedup.listAlerts({ projectId: a }, 50)).items.find((x) => [x.projectA, x.projectB].includes(b!))!;
    const involved = callers[alert.departmentA === 'ZJ' ? 'ZJ' : 'JXW']!;
    // A department not involved may not decide; a reason is required.
    const other = [callers.KW!, callers.ZJ!, callers.JXW!].find((c) => c.departmentCode !== alert.departmentA && c.departmentCode !== alert.departmentB)!;
    expect(await rejection(dedup.review(other, alert.id, 'dismissed_distinct', '不是同一项目'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(dedup.review(involved, alert.id, 'confirmed', ''))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await rejection(dedup.review(involved, alert.id, 'maybe' as never, '理由'))).toMatchObject({ code: 'VALIDATION_FAILED' });

    const decided = await dedup.review(involved, alert.id, 'dismissed_related', '同一企业技术中心的后续建设,属合规的后续支持');
    expect(decided).toMatchObject({ status: 'dismissed_related', statusReason: '同一企业技术中心的后续建设,属合规的后续支持', decidedByDepartmentId: involved.departmentId });
    const history = await app.get(HistoryService).list('duplicate_alert', alert.id);
    expect(history.map((h) => h.action)).toEqual(['RAISED', 'REVIEWED']);
    expect(history[1]).toMatchObject({ reason: '同一企业技术中心的后续建设,属合规的后续支持', changes: { status: { before: 'open', after: 'dismissed_related' } } });

    // Scanning again keeps the decision.
    const again = await dedup.scan({});
    expect(again.outcome.keptDecided).toBeGreaterThanOrEqual(1);
    expect((await dedup.alert(alert.id)).status).toBe('dismissed_related');

    // A material change (the title) reopens it, and the history says which project changed.
    const rec = codeMissing[1]!;
    const p = await registry.getByLocalId(rec.department!, rec.id!);
    const owner = Object.values(callers).find((c) => c.departmentId === p.departmentId)!;
    await registry.update(owner, p.code, { title: `${p.title}(二期)` }, { reason: '项目名称调整' });
    const reopened = await dedup.alert(alert.id);
    expect(reopened.status).toBe('open');
    const after = await app.get(HistoryService).list('duplicate_alert', alert.id);
    expect(after.at(-1)).toMatchObject({ action: 'REOPENED', changes: { status: { before: 'dismissed_related', after: 'open' } } });
    expect(after.at(-1)!.reason).toContain(p.code);
  });

  it('reports a proposed fund that repeats an existing fund or sub-fund, and not an unrelated one', async () => {
    const overlaps = await dedup.fundOverlap('集成电路产业发展专项资金', '支持集成电路设计企业首轮流片和产业化项目');
    expect(overlaps[0]).toMatchObject({ fundCode: 'RJJCDL', level: 'overlap' });
    expect(overlaps[0]!.sharedTerms.join()).toMatch(/集成电路/);
    expect(await dedup.fundOverlap('农村饮水安全巩固提升资金', '农村供水工程维修养护')).toEqual([]);
    expect(await rejection(dedup.fundOverlap(' '))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
