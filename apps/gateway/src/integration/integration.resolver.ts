import { Args, Context, Field, InputType, Mutation, Query, Resolver, registerEnumType } from '@nestjs/graphql';
import { ApiRole } from '#identity';
import { errorReport, IMPORT_FIELDS, ImportRepository, isImportField, type ImportReport } from '#integration';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/core/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import type { RequestContext } from '../graphql/request-context.js';
import { JobObject, toJobObject } from '../jobs/jobs.resolver.js';

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

/** Department systems push their projects: a file becomes a job; its report tells what happened to every row. */
@Resolver()
@RequireRole(ApiRole.STAFF, ApiRole.LEADING, ApiRole.INFORMATION_CENTER)
export class IntegrationResolver {
  constructor(
    private readonly imports: ImportRepository,
    private readonly queue: QueueService,
  ) {}

  @Mutation(() => JobObject, { description: '导入项目文件(Base64,受请求大小限制;大文件用命令行) / Import a file of projects (base64; large files via the CLI)' })
  async importProjects(
    @Args('fileName') fileName: string,
    @Args('contentBase64') contentBase64: string,
    @Context() ctx: RequestContext,
    @Args('options', { type: () => ImportOptionsInput, nullable: true }) options?: ImportOptionsInput,
  ): Promise<JobObject> {
    const p = ctx.principal;
    if (p.kind !== 'department') throw new ForbiddenError('needs a department key');
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
