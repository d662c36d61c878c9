import type { Catalog, Category, Department, Fund, Jurisdiction } from '#reference';
import {
  LinkageRoleEnum,
  type CatalogObject,
  type DepartmentObject,
  type FundObject,
  type JurisdictionObject,
} from './reference.objects.js';

/** Builds API objects from domain read models, resolving codes with the lookups given. */
export class ReferenceMapper {
  private readonly jurisdictions: Map<string, Jurisdiction>;
  private readonly departments: Map<string, Department>;
  private readonly categories: Map<string, Category>;

  constructor(data: { jurisdictions: Jurisdiction[]; departments: Department[]; categories?: Category[] }) {
    this.jurisdictions = new Map(data.jurisdictions.map((j) => [j.code, j]));
    this.departments = new Map(data.departments.map((d) => [d.id, d]));
    this.categories = new Map((data.categories ?? []).map((c) => [c.code, c]));
  }

  jurisdiction(code: string): JurisdictionObject {
    const j = this.jurisdictions.get(code);
    return j ? { code: j.code, name: j.name, level: j.level } : { code, name: code, level: 'unknown' };
  }

  department(d: Department): DepartmentObject {
    return {
      code: d.code,
      name: d.name,
      shortName: d.shortName,
      aliases: d.aliases,
      linkageRole: LinkageRoleEnum[d.linkageRole],
      jurisdiction: this.jurisdiction(d.jurisdictionCode),
    };
  }

  fund(f: Fund): FundObject {
    const dept = this.departments.get(f.departmentId);
    if (!dept) throw new Error(`fund ${f.code} names a missing department`);
    return {
      code: f.code,
      name: f.name,
      shortName: f.shortName,
      usesCatalog: f.usesCatalog,
      department: this.department(dept),
      subFunds: f.subFunds.map((s) => ({
        code: s.code,
        number: s.number,
        name: s.name,
        category: s.categoryCode ? (this.categories.get(s.categoryCode) ?? null) : null,
      })),
    };
  }

  catalog(c: Catalog): CatalogObject {
    const fields = new Map(c.fields.map((f) => [f.code, f]));
    return {
      code: c.code,
      name: c.name,
      jurisdiction: this.jurisdiction(c.jurisdictionCode),
      fields: c.fields,
      items: c.items.map((i) => ({ code: i.code, number: i.number, name: i.name, field: fields.get(i.fieldCode) ?? { code: i.fieldCode, name: i.fieldCode } })),
    };
  }
}
