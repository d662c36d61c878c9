import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { projectRoot } from '#shared/core/index.js';
import { emptyCounts, ReferenceRepository, type UpsertCounts } from './reference.repository.js';
import { ReferenceService } from './reference.service.js';
import type { Catalog, Category, Jurisdiction, LinkageRole, SupportMethod } from './reference.types.js';

interface DepartmentSeed {
  code: string;
  name: string;
  shortName: string;
  aliases: string[];
  jurisdictionCode: string;
  linkageRole: LinkageRole;
}

interface FundSeed {
  code: string;
  name: string;
  shortName: string;
  departmentCode: string;
  jurisdictionCode: string;
  usesCatalog: boolean;
  rules?: Record<string, unknown>;
  subFunds: { number: number; code: string; name: string; categoryCode: string }[];
}

export type ReferenceSeedReport = Record<
  'jurisdictions' | 'departments' | 'categories' | 'supportMethods' | 'funds' | 'subFunds' | 'catalogs',
  UpsertCounts
>;

/** Loads seeds/reference/*.json into the database; running it again changes nothing. */
@Injectable()
export class ReferenceSeedService {
  constructor(
    private readonly repo: ReferenceRepository,
    private readonly reference: ReferenceService,
  ) {}

  async seed(dir = join(projectRoot(), 'seeds', 'reference')): Promise<ReferenceSeedReport> {
    const read = <T>(file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    const jurisdictions = read<Jurisdiction[]>('jurisdictions.json');
    const departments = read<DepartmentSeed[]>('departments.json');
    const categories = read<Category[]>('categories.json');
    const methods = read<SupportMethod[]>('support-methods.json');
    const funds = read<FundSeed[]>('funds.json');
    const catalog = read<Catalog>('catalog.json');

    const report: ReferenceSeedReport = {
      jurisdictions: emptyCounts(),
      departments: emptyCounts(),
      categories: emptyCounts(),
      supportMethods: emptyCounts(),
      funds: emptyCounts(),
      subFunds: emptyCounts(),
      catalogs: emptyCounts(),
    };
    await this.repo.transaction(async (tx) => {
      // Parents before children, so a jurisdiction's parent exists when it is written.
      for (const j of [...jurisdictions].sort((a, b) => Number(a.parentCode !== null) - Number(b.parentCode !== null))) {
        await tx.jurisdiction(j, report.jurisdictions);
      }
      for (const d of departments) await tx.department(d, report.departments);
      for (const c of categories) await tx.category(c, report.categories);
      for (const m of methods) await tx.supportMethod(m, report.supportMethods);
      for (const f of funds) {
        const fundId = await tx.fund(f, report.funds);
        for (const s of f.subFunds) await tx.subFund(fundId, s, report.subFunds);
      }
      await tx.catalog(catalog, report.catalogs);
      for (const f of catalog.fields) await tx.catalogField(catalog.code, f, report.catalogs);
      for (const i of catalog.items) await tx.catalogItem(catalog.code, i, report.catalogs);
    });
    this.reference.invalidate();
    return report;
  }
}
