import { Injectable } from '@nestjs/common';
import { NotFoundError } from '#shared/core/index.js';
import { ReferenceRepository } from './reference.repository.js';
import type { Catalog, Category, Department, Fund, Jurisdiction, SupportMethod } from './reference.types.js';

/** Departments, funds, categories, support methods and catalogs: public reference data. */
@Injectable()
export class ReferenceService {
  constructor(private readonly repo: ReferenceRepository) {}

  departments(): Promise<Department[]> {
    return this.repo.departments();
  }

  async department(code: string): Promise<Department> {
    const found = await this.repo.departmentByCode(code.trim().toUpperCase());
    if (!found) throw new NotFoundError('department', code);
    return found;
  }

  departmentById(id: string): Promise<Department | null> {
    return this.repo.departmentById(id);
  }

  /** Match a department as department files name it: code, full name, short name or a known alias. */
  async resolveDepartment(nameOrCode: string): Promise<Department | null> {
    const key = nameOrCode.trim();
    if (!key) return null;
    const all = await this.repo.departments();
    return (
      all.find((d) => d.code === key.toUpperCase()) ??
      all.find((d) => d.name === key || d.shortName === key || d.aliases.includes(key)) ??
      null
    );
  }

  /** Register a department a new data source names (imports with --register-missing). */
  registerDepartment(d: { name: string; jurisdictionCode: string }): Promise<Department> {
    return this.repo.insertDepartment(d);
  }

  registerFund(f: { departmentId: string; jurisdictionCode: string; name: string }): Promise<string> {
    return this.repo.insertFund(f);
  }

  registerSubFund(s: { fundId: string; name: string }): Promise<void> {
    return this.repo.insertSubFund(s);
  }

  jurisdictions(): Promise<Jurisdiction[]> {
    return this.repo.jurisdictions();
  }

  funds(): Promise<Fund[]> {
    return this.repo.funds();
  }

  categories(): Promise<Category[]> {
    return this.repo.categories();
  }

  supportMethods(): Promise<SupportMethod[]> {
    return this.repo.supportMethods();
  }

  catalogs(): Promise<Catalog[]> {
    return this.repo.catalogs();
  }
}
