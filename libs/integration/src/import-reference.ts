import { namesFund, ReferenceService, type Department, type Fund, type SubFund } from '#reference';

/**
 * Resolves the departments, funds and sub-funds a file names — by code, full name, short name or
 * alias, and sub-funds also by their number in the classification table — and, when the operator
 * allows it, registers the ones a new data source brings. Cached for one import.
 */
export class ImportReference {
  private departments: Department[] = [];
  private funds: Fund[] = [];

  constructor(
    private readonly reference: ReferenceService,
    private readonly registerMissing: boolean,
    private readonly jurisdictionCode: string,
  ) {}

  async load(): Promise<this> {
    [this.departments, this.funds] = await Promise.all([this.reference.departments(), this.reference.funds()]);
    return this;
  }

  async department(name: string): Promise<{ department: Department } | { reason: string }> {
    const key = name.trim();
    const found =
      this.departments.find((d) => d.code === key.toUpperCase()) ?? this.departments.find((d) => d.name === key || d.shortName === key || d.aliases.includes(key));
    if (found) return { department: found };
    if (!this.registerMissing) return { reason: `"${key}" is not a known department (use its code, full or short name; or import with --register-missing for a new data source)` };
    const created = await this.reference.registerDepartment({ name: key, jurisdictionCode: this.jurisdictionCode });
    await this.load();
    return { department: created };
  }

  /**
   * The fund and sub-fund of a row. Without a fund column the sub-fund decides (its number in the
   * classification table, or its name among the department's sub-funds); a department with one fund uses it.
   */
  async fundAndSubFund(department: Department, fundName: string, subFundName: string): Promise<{ fund: Fund; subFund: SubFund | null } | { column: 'fund' | 'subFund'; reason: string }> {
    const own = () => this.funds.filter((f) => f.departmentId === department.id);
    let fund: Fund | undefined;
    if (fundName) {
      const key = fundName.trim();
      fund = own().find((f) => namesFund(f, key));
      if (!fund) {
        const elsewhere = this.funds.find((f) => namesFund(f, key));
        if (elsewhere) return { column: 'fund', reason: `"${key}" is a fund of another department, not of ${department.code}` };
        if (!this.registerMissing) return { column: 'fund', reason: `"${key}" is not a fund of ${department.code}` };
        await this.reference.registerFund({ departmentId: department.id, jurisdictionCode: department.jurisdictionCode, name: key });
        await this.load();
        fund = own().find((f) => f.name === key)!;
      }
    }
    const subKey = subFundName.trim();
    if (subKey) {
      const candidates = fund ? [fund] : own();
      const byNumber = /^\d{1,3}$/.test(subKey) ? candidates.flatMap((f) => f.subFunds.map((s) => ({ f, s }))).filter(({ s }) => s.number === Number(subKey)) : [];
      const byName = candidates.flatMap((f) => f.subFunds.map((s) => ({ f, s }))).filter(({ s }) => s.name === subKey || s.code === subKey);
      const match = byNumber[0] ?? byName[0];
      if (match) return { fund: match.f, subFund: match.s };
      if (/^\d{1,3}$/.test(subKey)) {
        const other = this.funds.flatMap((f) => f.subFunds.map((s) => ({ f, s }))).find(({ f, s }) => s.number === Number(subKey) && f.jurisdictionCode === department.jurisdictionCode);
        if (other) return { column: 'subFund', reason: `sub-fund ${subKey} belongs to another department's fund (${other.f.shortName})` };
      }
      if (!this.registerMissing) return { column: 'subFund', reason: `"${subKey}" is not a sub-fund of ${fund ? fund.code : department.code}` };
      if (!fund) {
        if (own().length > 1) return { column: 'fund', reason: `${department.code} has ${own().length} funds: name the fund to register the new sub-fund "${subKey}" under` };
        fund = own()[0] ?? (await this.newFund(department));
      }
      await this.reference.registerSubFund({ fundId: fund.id, name: subKey });
      await this.load();
      const f = this.funds.find((x) => x.id === fund!.id)!;
      return { fund: f, subFund: f.subFunds.find((s) => s.name === subKey)! };
    }
    if (fund) return { fund, subFund: null };
    if (own().length === 1) return { fund: own()[0]!, subFund: null };
    if (own().length === 0 && this.registerMissing) return { fund: await this.newFund(department), subFund: null };
    return { column: 'fund', reason: own().length ? `${department.code} has ${own().length} funds: say which (a fund or sub-fund column)` : `${department.code} has no fund` };
  }

  /** A new data source's one fund, named after the department. */
  private async newFund(department: Department): Promise<Fund> {
    const id = await this.reference.registerFund({ departmentId: department.id, jurisdictionCode: department.jurisdictionCode, name: department.name });
    await this.load();
    return this.funds.find((f) => f.id === id)!;
  }
}
