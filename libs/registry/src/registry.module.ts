import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditModule } from '#credit';
import { DedupModule } from '#dedup';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { DelegationRepository } from './delegation.repository.js';
import { DelegationService } from './delegation.service.js';
import { OrganisationRepository } from './organisation.repository.js';
import { UnlinkedRecordRepository } from './unlinked-record.repository.js';
import { ProjectRepository } from './project.repository.js';
import { REGISTRY_ENTITIES } from './registry.entities.js';
import { RegistryService } from './registry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature(REGISTRY_ENTITIES), HistoryModule, ReferenceModule, DedupModule, CreditModule],
  providers: [OrganisationRepository, ProjectRepository, DelegationRepository, UnlinkedRecordRepository, RegistryService, DelegationService],
  exports: [RegistryService, DelegationService, HistoryModule, DedupModule, CreditModule],
})
export class RegistryModule {}
