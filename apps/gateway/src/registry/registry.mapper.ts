import { displayProjectCode } from '#encoding';
import type { Department, ReferenceSnapshot } from '#reference';
import { fenToWan, fenToYuan, maskIdNumber, paymentSchedule, type Fen, type FundRules, type Organisation, type ProjectView } from '#registry';
import { ReferenceMapper } from '../reference/reference.mapper.js';
import type { MoneyObject, OrganisationObject, ProjectObject } from './registry.objects.js';


export function money(fen: Fen | null): MoneyObject | null {
  return fen === null ? null : { fen: fen.toString(), yuan: fenToYuan(fen), wan: fenToWan(fen) };
}

/** Registry read models → API objects. ID numbers are shown in full to the owning department only. */
export class RegistryMapper {
  private readonly ref: ReferenceMapper;
  private readonly departments: Map<string, Department>;

  constructor(
    private readonly data: ReferenceSnapshot,
    private readonly viewerDepartmentId: string | null,
  ) {
    this.ref = new ReferenceMapper(data);
    this.departments = new Map(data.departments.map((d) => [d.id, d]));
  }

  organisation(o: Organisation): OrganisationObject {
    return {
      uscc: o.uscc,
      usccStatus: o.usccStatus,
      name: o.name,
      names: o.names.map((n) => ({ name: n.name, departmentCode: n.departmentId ? (this.departments.get(n.departmentId)?.code ?? null) : null, firstSeenAt: n.firstSeenAt })),
    };
  }

  departmentCode(id: string | null): string | null {
    return id ? (this.departments.get(id)?.code ?? null) : null;
  }

  project(p: ProjectView): ProjectObject {
    const fund = this.data.funds.find((f) => f.id === p.fundId)!;
    const fundObj = this.ref.fund(fund);
    const subFund = p.subFundId ? (fundObj.subFunds[fund.subFunds.findIndex((s) => s.id === p.subFundId)] ?? null) : null;
    const item = p.catalogItemCode ? this.data.catalogs.flatMap((c) => this.ref.catalog(c).items).find((i) => i.code === p.catalogItemCode) ?? null : null;
    const owner = this.viewerDepartmentId === p.departmentId;
    return {
      id: p.id,
      code: p.code,
      displayCode: displayProjectCode(p.code),
      department: this.ref.department(this.departments.get(p.departmentId)!),
      fund: fundObj,
      subFund,
      category: p.categoryCode ? (this.data.categories.find((c) => c.code === p.categoryCode) ?? null) : null,
      supportMethod: p.supportMethodCode ? (this.data.supportMethods.find((m) => m.code === p.supportMethodCode) ?? null) : null,
      catalogItem: item,
      year: p.year,
      title: p.title,
      summary: p.summary,
      keywords: p.keywords,
      organisation: this.organisation(p.organisation),
      leader: p.leader ? { name: p.leader.name, idNumber: p.leader.idNumber ? (owner ? p.leader.idNumber : maskIdNumber(p.leader.idNumber)) : null } : null,
      requested: money(p.requestedFen),
      approved: money(p.approvedFen),
      selfRaised: money(p.selfRaisedFen),
      totalInvestment: money(p.totalInvestmentFen),
      paymentPlan: p.approvedFen === null ? [] : paymentSchedule(fund.rules as FundRules, p.approvedFen).map((s) => ({ stage: s.stage, share: s.share, amount: money(s.amountFen)! })),
      plannedStart: p.plannedStart,
      plannedEnd: p.plannedEnd,
      extensionMonths: p.extensionMonths,
      status: p.status,
      localIds: p.localIds.map((l) => ({ departmentCode: this.departmentCode(l.departmentId) ?? '?', localId: l.localId })),
      attributes: p.attributes,
      version: p.version,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}
