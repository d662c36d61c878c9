import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { parseProjectCode } from '#encoding';
import { HistoryService } from '#history';
import { ReferenceService } from '#reference';
import { DelegationService, ProjectStatus, RegistryService, type Caller } from '#registry';
import { DomainError, ErrorCode, ValidationError } from '#shared/core/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { DepartmentRecordInputType, ProjectFieldsInputType, ProjectFilterInput, RegisterProjectInputType } from './registry.inputs.js';
import { RegistryMapper } from './registry.mapper.js';
import { toProjectFilter } from './project-filter.js';
import {
  ChangeConnectionObject,
  DelegationObject,
  HistoryEntryObject,
  LinkRecordResultObject,
  UnlinkedRecordObject,
  HistoryVerificationObject,
  OrganisationObject,
  ProjectCodeSegmentsObject,
  ProjectConnectionObject,
  ProjectObject,
} from './registry.objects.js';

const callerOf = (ctx: RequestContext): Caller => departmentCaller(ctx, 'The registry is shared among the linkage departments: send a department API key.');

const encodeCursor = (code: string) => Buffer.from(`project:${code}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString();
  if (!raw.startsWith('project:')) throw ValidationError.field('after', 'is not a cursor from this list');
  return raw.slice('project:'.length);
}

/** The shared registry: every linkage department reads all projects; only the owner changes one. */
@Resolver()
@RequireRole()
export class RegistryResolver {
  constructor(
    private readonly registry: RegistryService,
    private readonly reference: ReferenceService,
    private readonly history: HistoryService,
    private readonly delegationService: DelegationService,
  ) {}

  private async mapper(ctx: RequestContext): Promise<RegistryMapper> {
    return new RegistryMapper(await this.reference.snapshot(), ctx.principal.kind === 'department' ? ctx.principal.departmentId : null);
  }

  @Query(() => ProjectObject, { description: '按统一项目编码查项目(可带分隔符、小写) / A project by its unified code, separators and lower case allowed' })
  async project(@Args('code') code: string, @Context() ctx: RequestContext): Promise<ProjectObject> {
    callerOf(ctx);
    const [p, m] = await Promise.all([this.registry.get(code), this.mapper(ctx)]);
    return m.project(p);
  }

  @Query(() => ProjectObject, { description: '按部门自有编号查项目 / A project by a department\'s own ID' })
  async projectByLocalId(@Args('department') department: string, @Args('localId') localId: string, @Context() ctx: RequestContext): Promise<ProjectObject> {
    callerOf(ctx);
    const [p, m] = await Promise.all([this.registry.getByLocalId(department, localId), this.mapper(ctx)]);
    return m.project(p);
  }

  @Query(() => ProjectConnectionObject, { description: '项目列表(按编码排序,游标分页) / Projects in code order, with cursor pagination', complexity: ({ args, childComplexity }) => (Number(args.first) || 20) * childComplexity })
  async projects(
    @Context() ctx: RequestContext,
    @Args('filter', { type: () => ProjectFilterInput, nullable: true }) filter?: ProjectFilterInput,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20, description: '每页条数(1-200) / page size, 1 to 200' }) first = 20,
    @Args('after', { nullable: true, description: '上一页的 endCursor / endCursor of the page before' }) after?: string,
  ): Promise<ProjectConnectionObject> {
    callerOf(ctx);
    const domainFilter = await toProjectFilter(this.reference, filter ?? {});
    const [page, m] = await Promise.all([this.registry.list(domainFilter, first, after ? decodeCursor(after) : undefined), this.mapper(ctx)]);
    const edges = page.items.map((p) => ({ cursor: encodeCursor(p.code), node: m.project(p) }));
    return { totalCount: page.totalCount, totalCountExact: page.countExact, edges, pageInfo: { hasNextPage: page.hasNext, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null } };
  }

  @Query(() => OrganisationObject, { description: '按信用代码或任一登记名称查单位 / An organisation by credit code or any name it was registered under' })
  async organisation(@Args('code', { description: '信用代码或名称 / code or name' }) code: string, @Context() ctx: RequestContext): Promise<OrganisationObject> {
    callerOf(ctx);
    const [o, m] = await Promise.all([this.registry.organisation(code), this.mapper(ctx)]);
    return m.organisation(o);
  }

  @Query(() => [HistoryEntryObject], { description: '项目留痕 / A project\'s history, oldest first' })
  async projectHistory(@Args('code') code: string, @Context() ctx: RequestContext): Promise<HistoryEntryObject[]> {
    callerOf(ctx);
    const p = await this.registry.get(code);
    const [entries, m] = await Promise.all([this.history.list('project', p.id), this.mapper(ctx)]);
    return entries.map((e) => ({ ...e, departmentCode: m.departmentCode(e.departmentId) }));
  }

  @Query(() => HistoryVerificationObject, { description: '校验留痕链是否被篡改(不给编码则校验全部) / Check history chains for tampering: one project, or everything' })
  async verifyHistory(@Context() ctx: RequestContext, @Args('code', { nullable: true }) code?: string): Promise<HistoryVerificationObject> {
    callerOf(ctx);
    if (code) {
      const p = await this.registry.get(code);
      return this.history.verify({ entityType: 'project', entityId: p.id });
    }
    return this.history.verify();
  }

  @Query(() => ProjectCodeSegmentsObject, { description: '解析统一项目编码 / Explain each segment of a project code' })
  async parseProjectCode(@Args('code') code: string): Promise<ProjectCodeSegmentsObject> {
    const parsed = parseProjectCode(code);
    if (!parsed.ok) throw new DomainError(ErrorCode.INVALID_CODE, `"${code}" is not a valid project code: ${parsed.reason}`, { input: code });
    const [jurisdictions, departments] = await Promise.all([this.reference.jurisdictions(), this.reference.departments()]);
    return {
      code: parsed.code,
      displayCode: parsed.display,
      jurisdiction: parsed.parts.jurisdiction,
      jurisdictionName: jurisdictions.find((j) => j.code === parsed.parts.jurisdiction)?.name ?? null,
      year: parsed.parts.year,
      department: parsed.parts.department,
      departmentName: departments.find((d) => d.code === parsed.parts.department)?.name ?? null,
      subFund: parsed.parts.subFund,
      sequence: parsed.parts.sequence,
      check: parsed.code[23]!,
    };
  }

  @Mutation(() => ProjectObject, { description: '登记项目并赋统一编码 / Register a project; it gets its unified code' })
  async registerProject(@Args('input') input: RegisterProjectInputType, @Context() ctx: RequestContext): Promise<ProjectObject> {
    const p = await this.registry.register(callerOf(ctx), input);
    return (await this.mapper(ctx)).project(p);
  }

  @Mutation(() => ProjectObject, { description: '修改项目(仅主管部门) / Change a project (its own department only)' })
  async updateProject(
    @Args('code') code: string,
    @Args('input') input: ProjectFieldsInputType,
    @Context() ctx: RequestContext,
    @Args('expectedVersion', { type: () => Int, nullable: true, description: '乐观锁 / refuse if the project changed since this version' }) expectedVersion?: number,
    @Args('reason', { nullable: true }) reason?: string,
  ): Promise<ProjectObject> {
    const p = await this.registry.update(callerOf(ctx), code, input, { expectedVersion: expectedVersion ?? undefined, reason: reason ?? undefined });
    return (await this.mapper(ctx)).project(p);
  }

  @Mutation(() => ProjectObject, { description: '项目状态流转 / Move a project through its lifecycle' })
  async transitionProject(
    @Args('code') code: string,
    @Args('to', { type: () => ProjectStatus }) to: ProjectStatus,
    @Context() ctx: RequestContext,
    @Args('reason', { nullable: true }) reason?: string,
    @Args('approvedYuan', { nullable: true, description: '立项时核定金额(元) / approved amount when approving' }) approvedYuan?: string,
    @Args('diligent', { type: () => Boolean, nullable: true, description: '验收不通过时必填:项目组是否勤勉尽责(是则不记失信) / required when acceptance fails: did the team work diligently (then nobody is recorded)' }) diligent?: boolean,
  ): Promise<ProjectObject> {
    const p = await this.registry.transition(callerOf(ctx), code, to, { reason: reason ?? undefined, approvedYuan: approvedYuan ?? undefined, diligent: diligent ?? undefined });
    return (await this.mapper(ctx)).project(p);
  }

  @Mutation(() => ProjectObject, { description: '登记延期(仅一次,不超过12个月) / Record the one extension, at most 12 months' })
  async recordExtension(@Args('code') code: string, @Args('months', { type: () => Int }) months: number, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ProjectObject> {
    const p = await this.registry.recordExtension(callerOf(ctx), code, months, reason);
    return (await this.mapper(ctx)).project(p);
  }

  @Mutation(() => ProjectObject, { description: '关联部门自有编号 / Link your department\'s own ID to a project' })
  async linkLocalId(
    @Args('code') code: string,
    @Args('localId') localId: string,
    @Context() ctx: RequestContext,
    @Args('department', { nullable: true, description: '仅信息中心可代其他部门关联 / only the information center links for others' }) department?: string,
  ): Promise<ProjectObject> {
    const p = await this.registry.linkLocalId(callerOf(ctx), code, localId, department ?? undefined);
    return (await this.mapper(ctx)).project(p);
  }

  @Mutation(() => LinkRecordResultObject, { description: '按名称、年度、单位关联部门记录;不唯一时列入未关联清单 / Link a department record to the one project it describes; otherwise list it as unlinked' })
  async linkRecord(@Args('input') input: DepartmentRecordInputType, @Context() ctx: RequestContext): Promise<LinkRecordResultObject> {
    const r = await this.registry.linkRecord(callerOf(ctx), input);
    return { linked: r.linked, reason: r.reason, candidates: r.candidates, project: r.project ? (await this.mapper(ctx)).project(r.project) : null };
  }

  @Query(() => [UnlinkedRecordObject], { description: '本部门未能唯一关联的记录 / Records of a department not linked to exactly one project' })
  async unlinkedRecords(@Context() ctx: RequestContext, @Args('department', { nullable: true, description: '默认本部门 / default yours' }) department?: string): Promise<UnlinkedRecordObject[]> {
    const caller = callerOf(ctx);
    const [records, m] = await Promise.all([this.registry.unlinkedRecords(caller, department ?? undefined), this.mapper(ctx)]);
    return records.map((r) => ({ ...r, departmentCode: m.departmentCode(r.departmentId) ?? '?' }));
  }

  @Query(() => ChangeConnectionObject, {
    description: '变更流:按顺序读取登记库的全部变更,不漏不重 / The change feed: every registry change in order; keep endCursor and continue from it',
    complexity: ({ args, childComplexity }) => (Number(args.first) || 100) * childComplexity,
  })
  async changes(
    @Context() ctx: RequestContext,
    @Args('after', { nullable: true, description: '上次的 endCursor(为空则从头开始) / endCursor of the last read; none for the beginning' }) after?: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100, description: '条数 1-1000 / events, 1 to 1000' }) first = 100,
  ): Promise<ChangeConnectionObject> {
    callerOf(ctx);
    if (!Number.isInteger(first) || first < 1 || first > 1000) throw ValidationError.field('first', 'must be 1 to 1000');
    let afterId = 0n;
    if (after) {
      const raw = Buffer.from(after, 'base64url').toString();
      if (!/^change:\d+$/.test(raw)) throw ValidationError.field('after', 'is not a cursor of the change feed');
      afterId = BigInt(raw.slice('change:'.length));
    }
    const [events, m] = await Promise.all([this.history.changes(afterId, first + 1), this.mapper(ctx)]);
    const edges = events.slice(0, first).map((e) => ({
      cursor: Buffer.from(`change:${e.id}`).toString('base64url'),
      node: { id: e.id.toString(), at: e.at, entityType: e.entityType, projectCode: e.projectCode, action: e.action, departmentCode: m.departmentCode(e.departmentId), changes: e.changes },
    }));
    return { edges, pageInfo: { hasNextPage: events.length > first, endCursor: edges.length ? edges[edges.length - 1]!.cursor : (after ?? null) } };
  }

  @Query(() => [DelegationObject], { description: '委托关系 / Which agencies act for which departments' })
  async delegations(@Context() ctx: RequestContext): Promise<DelegationObject[]> {
    callerOf(ctx);
    const [list, m] = await Promise.all([this.delegationService.list(), this.mapper(ctx)]);
    return list.map((d) => ({ agencyCode: m.departmentCode(d.agencyDepartmentId) ?? '?', departmentCode: m.departmentCode(d.principalDepartmentId) ?? '?', validFrom: d.validFrom, validUntil: d.validUntil, revokedAt: d.revokedAt }));
  }

  @Mutation(() => OrganisationObject, { description: '单位更名(旧名保留) / Rename an organisation; old names are kept' })
  async renameOrganisation(@Args('code') code: string, @Args('name') name: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<OrganisationObject> {
    const o = await this.registry.renameOrganisation(callerOf(ctx), code, name, reason);
    return (await this.mapper(ctx)).organisation(o);
  }


}

