import type { ReferenceService } from '#reference';
import { yuanToFen, type ProjectFilter } from '#registry';
import { ValidationError } from '#shared/core/index.js';
import type { ProjectFilterInput } from './registry.inputs.js';

/** The API's project filter → the registry's (department codes and names to ids, amounts to fen). */
export async function toProjectFilter(reference: ReferenceService, f: ProjectFilterInput): Promise<ProjectFilter> {
  const out: ProjectFilter = {};
  if (f.keyword?.trim()) out.keyword = f.keyword.trim();
  if (f.organisation?.trim()) out.organisation = f.organisation.trim();
  if (f.leader?.trim()) out.leader = f.leader.trim();
  if (f.departments?.length) {
    out.departmentIds = [];
    for (const d of f.departments) {
      out.departmentIds.push((await reference.requireDepartment('filter.departments', d)).id);
    }
  }
  const funds = await reference.funds();
  if (f.funds?.length) {
    out.fundIds = f.funds.map((code) => {
      const fund = funds.find((x) => x.code === code.toUpperCase());
      if (!fund) throw ValidationError.field('filter.funds', `"${code}" is not a fund`);
      return fund.id;
    });
  }
  if (f.subFundNumbers?.length) {
    const subs = funds.filter((x) => x.jurisdictionCode === '310000').flatMap((x) => x.subFunds);
    out.subFundIds = f.subFundNumbers.map((n) => {
      const s = subs.find((x) => x.number === n);
      if (!s) throw ValidationError.field('filter.subFundNumbers', `${n} is not a sub-fund number of the classification table`);
      return s.id;
    });
  }
  if (f.categories?.length) out.categoryCodes = f.categories;
  if (f.catalogItems?.length) out.catalogItemCodes = f.catalogItems.map((c) => c.toUpperCase());
  if (f.years?.length) out.years = f.years;
  if (f.statuses?.length) out.statuses = f.statuses;
  if (f.amountMinYuan) out.amountMinFen = yuanToFen('filter.amountMinYuan', f.amountMinYuan);
  if (f.amountMaxYuan) out.amountMaxFen = yuanToFen('filter.amountMaxYuan', f.amountMaxYuan);
  return out;
}
