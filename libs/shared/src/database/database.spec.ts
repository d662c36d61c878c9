import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { resetDatabase, testConfig, testConnection, testDbKind } from '../testing/index.js';
import { MIGRATIONS } from './migrations/index.js';

describe(`migrations and seeding (${testDbKind()})`, () => {
  let app: INestApplicationContext;
  let ds: DataSource;

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(
      PlatformModule.forRoot({ config: testConfig({ AUTO_MIGRATE: 'false' }), connection: testConnection(), processJobs: false }),
      { logger: false },
    );
    ds = app.get<DataSource>(getDataSourceToken());
  });
  afterAll(() => app?.close());

  it('applies every migration to an empty database, then none', async () => {
    const seed = app.get(SeedService);
    expect(await seed.migrate()).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(await seed.migrate()).toEqual([]);
    const tables = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['api_key', 'department', 'fund', 'job_run', 'jurisdiction', 'sub_fund', 'catalog_item', 'project', 'organisation', 'history_entry']),
    );
  });

  it('loads the reference data the policies name', async () => {
    const report = await app.get(SeedService).seed({ demo: false });
    expect(report.reference.departments.inserted).toBe(14);
    const ref = app.get(ReferenceService);
    const codes = (await ref.departments()).map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['JXW', 'KW', 'ZJ', 'FGW', 'CZJ', 'XXZX', 'LDXZ', 'MHKW', 'SDKJT', 'TAKJJ']));
    expect((await ref.jurisdictions()).map((j) => j.code)).toEqual(['310000', '310112', '370000', '370900']);
    const funds = await ref.funds();
    const shanghai = funds.filter((f) => f.jurisdictionCode === '310000');
    expect(shanghai).toHaveLength(5);
    const subFunds = shanghai.flatMap((f) => f.subFunds).sort((a, b) => a.number - b.number);
    expect(subFunds.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The classification table of 000: sub-fund 6 is 产业科技攻关, run by 科委.
    const six = subFunds.find((s) => s.number === 6)!;
    const kw = (await ref.departments()).find((d) => d.code === 'KW')!;
    expect(six.categoryCode).toBe('KJGG');
    expect(shanghai.find((f) => f.id === six.fundId)!.departmentId).toBe(kw.id);
    const [catalog] = await ref.catalogs();
    expect(catalog!.items).toHaveLength(18);
    expect(catalog!.fields.map((f) => f.name)).toEqual(['高端装备', '新一代信息技术', '人工智能', '生物医药', '其他']);
    expect((await ref.supportMethods()).map((m) => m.name)).toContain('投贷联动');
  });

  it('changes nothing when seeding again', async () => {
    const before = await ds.query(`SELECT id, code FROM department ORDER BY code`);
    const again = await app.get(SeedService).seed({ demo: true });
    for (const counts of Object.values(again.reference)) {
      expect(counts.inserted).toBe(0);
      expect(counts.updated).toBe(0);
    }
    expect(await ds.query(`SELECT id, code FROM department ORDER BY code`)).toEqual(before);
    const keys1 = await ds.query(`SELECT id FROM api_key ORDER BY id`);
    await app.get(SeedService).seed({ demo: true });
    expect(await ds.query(`SELECT id FROM api_key ORDER BY id`)).toEqual(keys1);
  });

  it('resolves departments by code, full name, short name and alias', async () => {
    const ref = app.get(ReferenceService);
    for (const name of ['JXW', 'jxw', '上海市经济和信息化委员会', '经信委', '市经信委']) {
      expect((await ref.resolveDepartment(name))?.code).toBe('JXW');
    }
    expect(await ref.resolveDepartment('不存在的部门')).toBeNull();
  });

  it('reverts every migration with its down step', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`)) as unknown[];
    expect(left).toEqual([]);
    await app.get(SeedService).migrate();
  });
});
