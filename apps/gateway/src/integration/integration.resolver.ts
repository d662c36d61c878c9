import { Args, Context, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from '@nestjs/graphql';
import { ApiRole } from '#identity';
import { DATA_DICTIONARY, errorReport, ExportService, filterToJson, IMPORT_FIELDS, ImportRepository, isImportField, LinkageReportService, WebhookService, type ImportReport } from '#integration';
import { ReferenceService } from '#reference';
import { ProjectFilterInput } from '../registry/registry.inputs.js';
import { toProjectFilter } from '../registry/project-filter.js';
import { UnlinkedRecordObject } from '../registry/registry.objects.js';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/core/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import type { RequestContext } from '../graphql/request-context.js';
import { JobObject, toJobObject } from '../jobs/jobs.resolver.js';

export enum ExportFormat {
  CSV = 'csv',
  XLSX = 'xlsx',
  JSONL = 'jsonl',
}
registerEnumType(ExportFormat, { name: 'ExportFormat' });

export enum ReportFormat {
  CSV = 'csv',
  XLSX = 'xlsx',
}
registerEnumType(ReportFormat, { name: 'ReportFormat' });

@InputType('ImportOptionsInput', { description: '导入选项 / How to import a file' })
export class ImportOptionsInput {
  @Field(() => String, { nullable: true, description: '全部行属于该部门(默认:本部门;信息中心按行中的部门列) / every row belongs to this department; default yours (the information center: each row\'s department column)' }) department?: string;
  @Field(() => String, { nullable: true, description: 'csv / xlsx / jsonl(默认按文件名) / format, default from the file name' }) format?: 'csv' | 'xlsx' | 'jsonl';
  @Field(() => String, { nullable: true, description: 'utf-8 / gb18030(默认自动识别) / text encoding, detected by default' }) encoding?: 'utf-8' | 'gb18030';
  @Field({ nullable: true, description: '有错则整个文件不入库 / store nothing unless every row is good' }) allOrNothing?: boolean;
  @Field({ nullable: true, description: '登记文件中新出现的部门、专项、子专项(信息中心) / register new departments and funds (information center)' }) registerMissing?: boolean;
  @Field({ nullable: true, description: '保留校验位不符的信用代码(标记未核验) / keep credit codes whose check fails, marked unverified' }) allowUnverifiedUscc?: boolean;
}

@ObjectType('WebhookDelivery', { description: '推送记录 / One delivery attempt' })
export class WebhookDeliveryObject {
  @Field() firstEventId!: string;
  @Field() lastEventId!: string;
  @Field(() => Int) events!: number;
  @Field({ description: 'delivered / failed' }) status!: string;
  @Field(() => Int, { nullable: true }) httpStatus!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() at!: Date;
}

@ObjectType('Webhook', { description: '变更推送地址 / A URL the change feed is sent to' })
export class WebhookObject {
  @Field(() => ID) id!: string;
  @Field() departmentCode!: string;
  @Field() url!: string;
  @Field() active!: boolean;
  @Field({ description: '已送达的最后事件 / last event delivered' }) cursor!: string;
  @Field(() => Int, { description: '连续失败次数 / failures in a row' }) failures!: number;
  @Field(() => Date, { nullable: true, description: '下次重试时间 / next try' }) nextAttemptAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastDeliveredAt!: Date | null;
  @Field(() => [WebhookDeliveryObject], { description: '最近的推送 / recent deliveries' }) recent!: WebhookDeliveryObject[];
}

@ObjectType('DataDictionaryEntry', { description: '数据字典 / One exported column' })
export class DataDictionaryEntryObject {
  @Field() field!: string;
  @Field({ description: '中文名称' }) name!: string;
  @Field() type!: string;
  @Field() meaning!: string;
}

@ObjectType('ExportFile', { description: '导出文件 / A file an export produced' })
export class ExportFileObject {
  @Field() fileName!: string;
  @Field({ description: 'Base64 内容 / the file, base64' }) contentBase64!: string;
}

@ObjectType('LinkageReport', { description: '部门对接报告 / What a department\'s imports did, and its records not linked to exactly one project' })
export class LinkageReportObject {
  @Field() departmentCode!: string;
  @Field(() => Int, { description: '导入次数 / imports' }) imports!: number;
  @Field(() => Date, { nullable: true }) lastImportAt!: Date | null;
  @Field(() => Int, { description: '新增行 / rows registered' }) created!: number;
  @Field(() => Int, { description: '更新行 / rows that updated a project' }) updated!: number;
  @Field(() => Int, { description: '未变行 / rows already as stored' }) unchanged!: number;
  @Field(() => Int, { description: '失败行 / rows refused' }) failed!: number;
  @Field(() => [UnlinkedRecordObject], { description: '未能唯一关联的记录 / records not linked to exactly one project' }) unlinked!: UnlinkedRecordObject[];
}

@ObjectType('RegisteredWebhook')
export class RegisteredWebhookObject {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field({ description: '签名密钥,仅显示一次:X-Linkage-Signature = sha256=HMAC-SHA256(密钥, 请求体) / the signing secret, shown once' }) secret!: string;
}

/** Department systems push their projects: a file becomes a job; its report tells what happened to every row. */
@Resolver()
@RequireRole()
export class IntegrationResolver {
  constructor(
    private readonly imports: ImportRepository,
    private readonly queue: QueueService,
    private readonly webhookService: WebhookService,
    private readonly exportService: ExportService,
    private readonly linkage: LinkageReportService,
    private readonly reference: ReferenceService,
  ) {}

  @Mutation(() => JobObject, { description: '导出项目(筛选条件同 projects) / Export the registry or a filtered part as a file, by a job' })
  async exportProjects(
    @Args('format', { type: () => ExportFormat }) format: ExportFormat,
    @Context() ctx: RequestContext,
    @Args('filter', { type: () => ProjectFilterInput, nullable: true }) filter?: ProjectFilterInput,
  ): Promise<JobObject> {
    const caller = this.caller(ctx);
    const run = await this.queue.enqueue(JobName.ExportProjects, { caller, filter: filterToJson(await toProjectFilter(this.reference, filter ?? {})), format }, { requestedBy: caller.departmentId });
    return toJobObject(run);
  }

  @Query(() => ExportFileObject, { description: '下载导出文件 / Download what an export job produced' })
  async exportFile(@Args('jobId') jobId: string, @Context() ctx: RequestContext): Promise<ExportFileObject> {
    const caller = this.caller(ctx);
    const run = await this.queue.get(jobId);
    if (!run || run.name !== JobName.ExportProjects) throw new NotFoundError('export job', jobId);
    if (run.requestedBy !== caller.departmentId && caller.role !== ApiRole.INFORMATION_CENTER) throw new ForbiddenError('Only the department that exported, or the information center, downloads the file.');
    if (run.status !== 'completed') throw ValidationError.field('jobId', `the export is ${run.status}; the file comes when it has completed`);
    const f = await this.exportService.file((run.result as { fileId: string }).fileId);
    return { fileName: f.fileName, contentBase64: f.content.toString('base64') };
  }

  @Query(() => [DataDictionaryEntryObject], { description: '导出数据字典 / What each exported column means' })
  dataDictionary(): DataDictionaryEntryObject[] {
    return DATA_DICTIONARY.map((d) => ({ ...d }));
  }

  @Query(() => LinkageReportObject, { description: '部门对接报告(默认本部门) / A department\'s linkage report; default yours' })
  async linkageReport(@Context() ctx: RequestContext, @Args('department', { nullable: true }) department?: string): Promise<LinkageReportObject> {
    const r = await this.linkage.report(this.caller(ctx), department ?? undefined);
    const departments = await this.reference.departments();
    return { ...r, unlinked: r.unlinked.map((u) => ({ ...u, departmentCode: departments.find((d) => d.id === u.departmentId)?.code ?? '?' })) };
  }

  private caller(ctx: RequestContext) {
    const p = ctx.principal;
    if (p.kind !== 'department') throw new ForbiddenError('needs a department key');
    return { departmentId: p.departmentId, departmentCode: p.departmentCode, role: p.role, apiKeyId: p.keyId };
  }

  @Mutation(() => RegisteredWebhookObject, { description: '登记变更推送地址 / Have the change feed sent to your system (signed with HMAC-SHA256)' })
  async registerWebhook(@Args('url') url: string, @Context() ctx: RequestContext, @Args('fromBeginning', { nullable: true, description: '从第一条变更开始推送 / send every change since the start' }) fromBeginning?: boolean): Promise<RegisteredWebhookObject> {
    const w = await this.webhookService.register(this.caller(ctx), url, { fromBeginning: fromBeginning ?? false });
    return { id: w.id, url: w.url, secret: w.secret };
  }

  @Query(() => [WebhookObject], { description: '本部门的推送地址及其状态 / Your webhooks and how delivery goes' })
  async webhooks(@Context() ctx: RequestContext): Promise<WebhookObject[]> {
    const list = await this.webhookService.list(this.caller(ctx));
    return list.map((w) => ({ ...w, cursor: w.cursor.toString(), recent: w.recent.map((d) => ({ ...d, firstEventId: d.firstEventId.toString(), lastEventId: d.lastEventId.toString() })) }));
  }

  @Mutation(() => Boolean, { description: '停用推送地址 / Stop a webhook' })
  async deleteWebhook(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<boolean> {
    await this.webhookService.deactivate(this.caller(ctx), id);
    return true;
  }

  @Mutation(() => JobObject, { description: '导入项目文件(Base64,受请求大小限制;大文件用命令行) / Import a file of projects (base64; large files via the CLI)' })
  async importProjects(
    @Args('fileName') fileName: string,
    @Args('contentBase64') contentBase64: string,
    @Context() ctx: RequestContext,
    @Args('options', { type: () => ImportOptionsInput, nullable: true }) options?: ImportOptionsInput,
  ): Promise<JobObject> {
    const p = ctx.principal;
    if (p.kind !== 'department') throw new ForbiddenError('needs a department key');
    if (p.role === ApiRole.READER) throw new ForbiddenError('a READER key reads the registry but does not import into it');
    if (!/^[^/\\]{1,200}\.(csv|txt|xlsx|jsonl|ndjson)$/i.test(fileName)) throw ValidationError.field('fileName', 'must end in .csv, .xlsx or .jsonl');
    const content = Buffer.from(contentBase64, 'base64');
    if (content.length === 0) throw ValidationError.field('contentBase64', 'is empty or not base64');
    if (options?.registerMissing && p.role !== ApiRole.INFORMATION_CENTER) throw new ForbiddenError('only the information center registers new departments and funds');
    const fileId = await this.imports.storeFile(fileName, content, p.departmentId);
    const run = await this.queue.enqueue(
      JobName.ImportProjects,
      {
        fileId,
        caller: { departmentId: p.departmentId, departmentCode: p.departmentCode, role: p.role, apiKeyId: p.keyId },
        // A department's own file is its own projects unless it says otherwise; the information center's file names them per row.
        options: { ...options, department: options?.department ?? (p.role === ApiRole.INFORMATION_CENTER ? undefined : p.departmentCode) },
      },
      { requestedBy: p.departmentId },
    );
    return toJobObject(run);
  }

  @Query(() => String, { description: '导入错误明细文件(Base64) / The rows an import could not store, as a CSV or XLSX file (base64)' })
  async importErrorReport(@Args('jobId') jobId: string, @Args('format', { type: () => ReportFormat, defaultValue: ReportFormat.CSV }) format: ReportFormat, @Context() ctx: RequestContext): Promise<string> {
    const run = await this.queue.get(jobId);
    const p = ctx.principal;
    if (!run || run.name !== JobName.ImportProjects) throw new NotFoundError('import job', jobId);
    if (p.kind !== 'department' || (p.role !== ApiRole.INFORMATION_CENTER && run.requestedBy !== p.departmentId)) throw new ForbiddenError('Only the department that imported, or the information center, reads the report.');
    if (run.status !== 'completed') throw ValidationError.field('jobId', `the import is ${run.status}; the report comes when it has completed`);
    return (await errorReport(run.result as ImportReport, format)).toString('base64');
  }

  @Mutation(() => GraphQLJSON, { description: '保存本部门的列映射(表头→字段) / Save your department\'s column mapping (header → field) for later imports' })
  async saveImportMapping(@Args('mapping', { type: () => GraphQLJSON }) mapping: Record<string, unknown>, @Context() ctx: RequestContext): Promise<Record<string, string>> {
    const p = ctx.principal;
    if (p.kind !== 'department') throw new ForbiddenError('needs a department key');
    if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) throw ValidationError.field('mapping', 'must be an object of header → field');
    const problems = Object.entries(mapping)
      .filter(([, f]) => typeof f !== 'string' || !isImportField(f))
      .map(([h, f]) => ({ field: `mapping.${h}`, reason: `"${String(f)}" is not a field (${Object.keys(IMPORT_FIELDS).join(', ')})` }));
    if (problems.length) throw new ValidationError(problems);
    await this.imports.saveMapping(p.departmentId, mapping as Record<string, string>);
    return mapping as Record<string, string>;
  }
}
