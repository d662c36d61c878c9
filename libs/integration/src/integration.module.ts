import { Module } from '@nestjs/common';
import { ReferenceModule } from '#reference';
import { RegistryModule } from '#registry';
import { ImportProjectsHandler } from './import.handler.js';
import { ImportRepository } from './import.repository.js';
import { ImportService } from './import.service.js';

@Module({
  imports: [ReferenceModule, RegistryModule],
  providers: [ImportRepository, ImportService, ImportProjectsHandler],
  exports: [ImportService, ImportRepository],
})
export class IntegrationModule {}
