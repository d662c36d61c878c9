import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '#shared/core/index.js';
import { ReferenceRepository } from './reference.repository.js';
import type { Catalog, Category, Department, Fund, Jurisdiction, SupportMethod } from './reference.types.js';

/** All reference data at once. */
export interface ReferenceSnapshot {
  jurisdictions: Jurisdiction[];
  departments: Department[];
  funds: Fund[];
  categories: Category[];
  supportMethods: SupportMethod[];
  catalogs: Catalog[];
}

/** How long another process's change to reference data may go unseen here. */
const CACHE_MS = 5_000;

/**
 * Departments, funds, categories, support methods and catalogs: public reference data, read on
 * every registration and request. Held in memory for a few seconds; this process's own writes
 * (seeding, imports registering a new data source) refresh it at once.
 */
@Injectable()
export class ReferenceService {
  private cache: { at: number; data: Promise<ReferenceSnapshot> } | null = null;

  constructor(private readonly repo: ReferenceRepository) {}

  /** Forget the cached reference data (after writing to it). */
  invalidate(): void {
    this.cache = null;
  }

  /** All reference data at once (cached as described above). */
  snapshot(): Promise<ReferenceSnapshot> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > CACHE_MS) {
      const data = (async () => {
        const [jurisdictions, departments, funds, categories, supportMethods, catalogs] = await Promise.all([
          this.repo.jurisdictions(),
          this.repo.departments(),
          this.repo.funds(),
          this.repo.categories(),
          this.repo.supportMethods(),
          this.repo.catalogs(),
        ]);
        return { jurisdictions, departments, funds, categories, supportMethods, catalogs };
      })();
      this.cache = { at: now, data };
      data.catch(() => (this.cache = null));
    }
    return this.cache.data;
  }

  async departments(): Promise<Department[]> {
    return (await this.snapshot()).departments;
  }

  async department(code: string): Promise<Department> {
    const found = (await this.departments()).find((d) => d.code === code.trim().toUpperCase()) ?? (await this.resolveDepartment(code));
    if (!found) throw new NotFoundError('department', code);
    return found;
  }

  async departmentById(id: string): Promise<Department | null> {
    return (await this.departments()).find((d) => d.id === id) ?? (await this.repo.departmentById(id));
  }

  /** A department a caller named (code, full name, short name or alias), or a validation error naming the field. */
  async requireDepartment(field: string, nameOrCode: string): Promise<Department> {
    const d = await this.resolveDepartment(nameOrCode);
    if (!d) throw ValidationError.field(field, `"${nameOrCode}" is not a known department`);
    return d;
  }

  /** Match a department as department files name it: code, full name, short name or a known alias. */
  async resolveDepartment(nameOrCode: string): Promise<Department | null> {
    const key = nameOrCode.trim();
    if (!key) return null;
    const all = await this.departments();
    return (
      all.find((d) => d.code === key.toUpperCase()) ??
      all.find((d) => d.name === key || d.shortName === key || d.aliases.includes(key)) ??
      null
    );
  }

  /** Register a department a new data source names (imports with --register-missing). */
  async registerDepartment(d: { name: string; jurisdictionCode: string }): Promise<Department> {
    try {
      return await this.repo.insertDepartment(d);
    } finally {
      this.invalidate();
    }
  }

  async registerFund(f: { departmentId: string; jurisdictionCode: string; name: string }): Promise<string> {
    try {
      return await this.repo.insertFund(f);
    } finally {
      this.invalidate();
    }
  }

  async registerSubFund(s: { fundId: string; name: string }): Promise<void> {
    try {
      await this.repo.insertSubFund(s);
    } finally {
      this.invalidate();
    }
  }

  async jurisdictions(): Promise<Jurisdiction[]> {
    return (await this.snapshot()).jurisdictions;
  }

  async funds(): Promise<Fund[]> {
    return (await this.snapshot()).funds;
  }

  async categories(): Promise<Category[]> {
    return (await this.snapshot()).categories;
  }

  async supportMethods(): Promise<SupportMethod[]> {
    return (await this.snapshot()).supportMethods;
  }

  async catalogs(): Promise<Catalog[]> {
    return (await this.snapshot()).catalogs;
  }
}

/** Whether a caller's name for a fund is this fund: its code (any case), its name or its short name. */
export function namesFund(f: Pick<Fund, 'code' | 'name' | 'shortName'>, key: string): boolean {
  const k = key.trim();
  return k.toUpperCase() === f.code || k === f.name || k === f.shortName;
}
