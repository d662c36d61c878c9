import { Module } from '@nestjs/common';
import { ReferenceModule } from '#reference';
import { RegistryModule } from '#registry';
import { HistoryModule } from '#history';
import { ImportProjectsHandler } from './import.handler.js';
import { ExportProjectsHandler, ExportService } from './export.service.js';
import { LinkageReportService } from './linkage-report.service.js';
import { ImportRepository } from './import.repository.js';
import { ImportService } from './import.service.js';
import { WebhookRepository } from './webhook.repository.js';
import { DeliverWebhooksHandler, WebhookService, WebhookTicker } from './webhook.service.js';

@Module({
  imports: [ReferenceModule, RegistryModule, HistoryModule],
  providers: [ImportRepository, ImportService, ImportProjectsHandler, WebhookRepository, WebhookService, DeliverWebhooksHandler, WebhookTicker, ExportService, ExportProjectsHandler, LinkageReportService],
  exports: [ImportService, ImportRepository, WebhookService, WebhookTicker, ExportService, LinkageReportService],
})
export class IntegrationModule {}
