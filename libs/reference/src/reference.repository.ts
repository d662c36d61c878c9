import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CatalogEntity,
  CatalogFieldEntity,
  CatalogItemEntity,
  CategoryEntity,
  DepartmentEntity,
  FundEntity,
  JurisdictionEntity,
  SubFundEntity,
  SupportMethodEntity,
} from './reference.entities.js';
import type { Catalog, Category, Department, Fund, Jurisdiction, LinkageRole, SupportMethod } from './reference.types.js';

/** Counts of what an upsert did, so seeding can prove it changed nothing the second time. */
export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export const emptyCounts = (): UpsertCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

/** The only place the reference tables are queried. */
@Injectable()
export class ReferenceRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async jurisdictions(): Promise<Jurisdiction[]> {
    return this.ds.getRepository(JurisdictionEntity).find({ order: { code: 'ASC' } });
  }

  async departments(): Promise<Department[]> {
    const rows = await this.ds.getRepository(DepartmentEntity).find({ order: { jurisdictionCode: 'ASC', code: 'ASC' } });
    return rows.map(toDepartment);
  }



  async departmentById(id: string): Promise<Department | null> {
    const row = await this.ds.getRepository(DepartmentEntity).findOneBy({ id });
    return row ? toDepartment(row) : null;
  }

  async categories(): Promise<Category[]> {
    return this.ds.getRepository(CategoryEntity).find({ order: { code: 'ASC' } });
  }

  async supportMethods(): Promise<SupportMethod[]> {
    return this.ds.getRepository(SupportMethodEntity).find();
  }

  async funds(): Promise<Fund[]> {
    const [funds, subs] = await Promise.all([
      this.ds.getRepository(FundEntity).find({ order: { jurisdictionCode: 'ASC', code: 'ASC' } }),
      this.ds.getRepository(SubFundEntity).find({ order: { number: 'ASC' } }),
    ]);
    return funds.map((f) => ({ ...f, subFunds: subs.filter((s) => s.fundId === f.id) }));
  }

  async catalogs(): Promise<Catalog[]> {
    const [catalogs, fields, items] = await Promise.all([
      this.ds.getRepository(CatalogEntity).find({ order: { code: 'ASC' } }),
      this.ds.getRepository(CatalogFieldEntity).find(),
      this.ds.getRepository(CatalogItemEntity).find({ order: { number: 'ASC' } }),
    ]);
    return catalogs.map((c) => ({
      ...c,
      fields: fields.filter((f) => f.catalogCode === c.code).map(({ code, name }) => ({ code, name })),
      items: items.filter((i) => i.catalogCode === c.code).map(({ code, number, name, fieldCode }) => ({ code, number, name, fieldCode })),
    }));
  }



  /** A new department (a new data source in an import); its code is generated: X, XA … XZZZZ. */
  async insertDepartment(d: { name: string; jurisdictionCode: string }): Promise<Department> {
    const taken = new Set(((await this.ds.query(`SELECT code FROM department`)) as { code: string }[]).map((r) => r.code));
    let code = '';
    for (let n = 0; !code || taken.has(code); n++) code = `X${toLetters(n)}`;
    const id = randomUUID();
    await this.ds.query(
      `INSERT INTO department (id, code, name, short_name, aliases, jurisdiction_code, linkage_role) VALUES ($1, $2, $3, $3, '{}', $4, 'OTHER')`,
      [id, code, d.name.trim(), d.jurisdictionCode],
    );
    return (await this.departmentById(id))!;
  }

  async insertFund(f: { departmentId: string; jurisdictionCode: string; name: string }): Promise<string> {
    const dept = (await this.departmentById(f.departmentId))!;
    const [{ n }] = (await this.ds.query(`SELECT count(*)::int AS n FROM fund WHERE department_id = $1`, [f.departmentId])) as { n: number }[];
    const id = randomUUID();
    await this.ds.query(
      `INSERT INTO fund (id, code, name, short_name, department_id, jurisdiction_code) VALUES ($1, $2, $3, $3, $4, $5)`,
      [id, `${dept.code}F${n! + 1}`, f.name.trim(), f.departmentId, f.jurisdictionCode],
    );
    return id;
  }

  async insertSubFund(s: { fundId: string; name: string }): Promise<void> {
    const [{ n }] = (await this.ds.query(`SELECT count(*)::int AS n FROM sub_fund WHERE fund_id = $1`, [s.fundId])) as { n: number }[];
    const code = n! < 99 ? String(n! + 1).padStart(2, '0') : toLetters(n! - 99).padStart(2, 'A');
    await this.ds.query(`INSERT INTO sub_fund (id, fund_id, code, number, name, category_code) VALUES ($1, $2, $3, $4, $5, NULL)`, [randomUUID(), s.fundId, code, n! + 1, s.name.trim()]);
  }

  /** Run seeding in one transaction: all reference data or none. */
  transaction<T>(work: (tx: ReferenceWriter) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(new ReferenceWriter(em)));
  }
}

/**
 * Idempotent upserts by natural key (codes), used by seeding. A row whose values are
 * already as given is left alone and counted as unchanged.
 */
export class ReferenceWriter {
  constructor(private readonly em: EntityManager) {}

  /** INSERT … ON CONFLICT … DO UPDATE only when something differs; reports which happened. */
  private async upsert(
    table: string,
    key: string[],
    values: Record<string, unknown>,
    counts: UpsertCounts,
    extraInsert: Record<string, unknown> = {},
  ): Promise<void> {
    const all = { ...extraInsert, ...values };
    const cols = Object.keys(all);
    const params = cols.map((_, i) => `$${i + 1}`);
    const updatable = Object.keys(values).filter((c) => !key.includes(c));
    const set = updatable.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    const differs = updatable.map((c) => `${table}.${c} IS DISTINCT FROM EXCLUDED.${c}`).join(' OR ');
    const sql =
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${params.join(', ')}) ` +
      `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set} WHERE ${differs} ` +
      `RETURNING (xmax = 0) AS inserted`;
    const rows = (await this.em.query(sql, cols.map((c) => all[c]))) as { inserted: boolean }[];
    if (rows.length === 0) counts.unchanged++;
    else if (rows[0]!.inserted) counts.inserted++;
    else counts.updated++;
  }

  async jurisdiction(j: Jurisdiction, counts: UpsertCounts): Promise<void> {
    await this.upsert('jurisdiction', ['code'], { code: j.code, name: j.name, level: j.level, parent_code: j.parentCode }, counts);
  }

  async department(
    d: { code: string; name: string; shortName: string; aliases: string[]; jurisdictionCode: string; linkageRole: LinkageRole },
    counts: UpsertCounts,
  ): Promise<void> {
    await this.upsert(
      'department',
      ['code'],
      { code: d.code, name: d.name, short_name: d.shortName, aliases: d.aliases, jurisdiction_code: d.jurisdictionCode, linkage_role: d.linkageRole },
      counts,
      { id: randomUUID() },
    );
  }

  async category(c: Category, counts: UpsertCounts): Promise<void> {
    await this.upsert('category', ['code'], { code: c.code, name: c.name, name_en: c.nameEn }, counts);
  }

  async supportMethod(m: SupportMethod, counts: UpsertCounts): Promise<void> {
    await this.upsert('support_method', ['code'], { code: m.code, name: m.name, name_en: m.nameEn }, counts);
  }

  async fund(
    f: { code: string; name: string; shortName: string; departmentCode: string; jurisdictionCode: string; usesCatalog: boolean; rules?: Record<string, unknown> },
    counts: UpsertCounts,
  ): Promise<string> {
    const departmentId = await this.departmentId(f.departmentCode);
    await this.upsert(
      'fund',
      ['code'],
      { code: f.code, name: f.name, short_name: f.shortName, department_id: departmentId, jurisdiction_code: f.jurisdictionCode, uses_catalog: f.usesCatalog, rules: JSON.stringify(f.rules ?? {}) },
      counts,
      { id: randomUUID() },
    );
    const [row] = (await this.em.query(`SELECT id FROM fund WHERE code = $1`, [f.code])) as { id: string }[];
    return row!.id;
  }

  async subFund(fundId: string, s: { code: string; number: number; name: string; categoryCode: string }, counts: UpsertCounts): Promise<void> {
    await this.upsert(
      'sub_fund',
      ['fund_id', 'code'],
      { fund_id: fundId, code: s.code, number: s.number, name: s.name, category_code: s.categoryCode },
      counts,
      { id: randomUUID() },
    );
  }

  async catalog(c: Omit<Catalog, 'fields' | 'items'>, counts: UpsertCounts): Promise<void> {
    await this.upsert('catalog', ['code'], { code: c.code, name: c.name, jurisdiction_code: c.jurisdictionCode }, counts);
  }

  async catalogField(catalogCode: string, f: { code: string; name: string }, counts: UpsertCounts): Promise<void> {
    await this.upsert('catalog_field', ['catalog_code', 'code'], { catalog_code: catalogCode, code: f.code, name: f.name }, counts);
  }

  async catalogItem(catalogCode: string, i: { code: string; number: number; name: string; fieldCode: string }, counts: UpsertCounts): Promise<void> {
    await this.upsert(
      'catalog_item',
      ['code'],
      { code: i.code, catalog_code: catalogCode, field_code: i.fieldCode, number: i.number, name: i.name },
      counts,
    );
  }

  private async departmentId(code: string): Promise<string> {
    const [row] = (await this.em.query(`SELECT id FROM department WHERE code = $1`, [code])) as { id: string }[];
    if (!row) throw new Error(`seed names unknown department "${code}"`);
    return row.id;
  }
}

/** 0 → A, 25 → Z, 26 → AA … (bijective base 26). */
function toLetters(n: number): string {
  let s = '';
  for (let x = n + 1; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function toDepartment(row: DepartmentEntity): Department {
  return { ...row, linkageRole: row.linkageRole as LinkageRole };
}
