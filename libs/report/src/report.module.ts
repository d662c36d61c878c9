import { Module } from '@nestjs/common';
import { ReportCompiler } from './report-compiler.js';
import { CompileAnnualReportHandler, ReportService } from './report.service.js';

@Module({
  providers: [ReportCompiler, ReportService, CompileAnnualReportHandler],
  exports: [ReportService, ReportCompiler],
})
export class ReportModule {}
