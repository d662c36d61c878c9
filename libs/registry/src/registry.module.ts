import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { OrganisationRepository } from './organisation.repository.js';
import { ProjectRepository } from './project.repository.js';
import { REGISTRY_ENTITIES } from './registry.entities.js';
import { RegistryService } from './registry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature(REGISTRY_ENTITIES), HistoryModule, ReferenceModule],
  providers: [OrganisationRepository, ProjectRepository, RegistryService],
  exports: [RegistryService, HistoryModule],
})
export class RegistryModule {}
