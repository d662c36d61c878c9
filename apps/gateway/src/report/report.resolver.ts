import { Args, Context, Field, ID, Int, Mutation, ObjectType, Query, registerEnumType, Resolver } from '@nestjs/graphql';
import { ReportService, type AnnualReportMeta } from '#report';
import { JobName, QueueService } from '#shared/queue/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { JobObject, toJobObject } from '../jobs/jobs.resolver.js';

export enum ReportFileFormat {
  XLSX = 'xlsx',
  HTML = 'html',
  PDF = 'pdf',
}
registerEnumType(ReportFileFormat, { name: 'ReportFileFormat', description: 'XLSX(每部分一张工作表)、可打印的 HTML,或 PDF(生成时服务器装有无头浏览器) / a workbook, the printable document, or the PDF printed with it' });

@ObjectType('ReportSectionHeading')
export class ReportSectionHeadingObject {
  @Field(() => Int) number!: number;
  @Field() title!: string;
}

@ObjectType('AnnualReport', { description: '年度联动管理工作报告 / A compiled annual linkage-management report' })
export class AnnualReportObject {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: '报告年度 / the year' }) year!: number;
  @Field({ description: '统计截止日(含当日,UTC)/ the day the figures stand at' }) asOf!: string;
  @Field({ description: '行政区划代码 / the jurisdiction whose linkage it covers' }) jurisdiction!: string;
  @Field({ description: '数据内容哈希(SHA-256):同年度、同截止日重新生成,哈希相同 / SHA-256 of the figures' }) contentHash!: string;
  @Field(() => String, { nullable: true, description: '生成部门 / the department that compiled it' }) generatedBy!: string | null;
  @Field() generatedAt!: Date;
  @Field(() => Int, { description: '生成用时(毫秒) / compile time, ms' }) durationMs!: number;
  @Field(() => String, { nullable: true }) jobId!: string | null;
  @Field({ description: '当日生成,当日后续登记的数据会改变它(往日的数字是最终的) / compiled on its own day: later records that day would change it' }) provisional!: boolean;
  @Field({ description: '是否随报告打印了 PDF / whether a PDF was printed with it' }) hasPdf!: boolean;
  @Field(() => [ReportSectionHeadingObject]) sections!: ReportSectionHeadingObject[];
}

@ObjectType('ReportFile')
export class ReportFileObject {
  @Field() fileName!: string;
  @Field() mediaType!: string;
  @Field() contentBase64!: string;
}

/**
 * The annual report (DOMAIN §8): the leading department compiles it as a job; every linkage
 * department reads the finished reports and downloads them.
 */
@Resolver()
@RequireRole()
export class ReportResolver {
  constructor(
    private readonly reports: ReportService,
    private readonly queue: QueueService,
  ) {}

  @Mutation(() => JobObject, { description: '生成年度联动管理工作报告(牵头部门) / Compile the annual report for a year as of a day, by a job (the leading department)' })
  async generateAnnualReport(
    @Args('year', { type: () => Int }) year: number,
    @Context() ctx: RequestContext,
    @Args('asOf', { type: () => String, nullable: true, description: '统计截止日 YYYY-MM-DD,默认今日 / default today' }) asOf?: string | null,
    @Args('jurisdiction', { type: () => String, nullable: true, description: '行政区划代码,默认本部门所在 / default your department\'s' }) jurisdiction?: string | null,
  ): Promise<JobObject> {
    const caller = departmentCaller(ctx);
    this.reports.assertMayGenerate(caller);
    const p = await this.reports.parameters(year, asOf, jurisdiction, caller.departmentId);
    await this.reports.assertOwnJurisdiction(caller, p.jurisdiction);
    const run = await this.queue.enqueue(JobName.CompileAnnualReport, { ...p, departmentId: caller.departmentId }, { requestedBy: caller.departmentId });
    return toJobObject(run);
  }

  @Query(() => [AnnualReportObject], { description: '本辖区已生成的年度报告(新的在前;联动部门可读) / Your jurisdiction\'s compiled annual reports, newest first (linkage departments)' })
  async annualReports(@Context() ctx: RequestContext, @Args('year', { type: () => Int, nullable: true }) year?: number | null): Promise<AnnualReportObject[]> {
    return (await this.reports.list(departmentCaller(ctx), year)).map(toObject);
  }

  @Query(() => AnnualReportObject, { description: '一份年度报告 / One report' })
  async annualReport(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<AnnualReportObject> {
    return toObject(await this.reports.get(departmentCaller(ctx), id));
  }

  @Query(() => ReportFileObject, { description: '下载年度报告(XLSX、HTML 或 PDF) / Download a report as XLSX, HTML or PDF' })
  async annualReportFile(@Args('id', { type: () => ID }) id: string, @Args('format', { type: () => ReportFileFormat }) format: ReportFileFormat, @Context() ctx: RequestContext): Promise<ReportFileObject> {
    const f = await this.reports.file(departmentCaller(ctx), id, format);
    return { fileName: f.fileName, mediaType: f.mediaType, contentBase64: f.content.toString('base64') };
  }
}

function toObject(r: AnnualReportMeta): AnnualReportObject {
  return { ...r };
}
