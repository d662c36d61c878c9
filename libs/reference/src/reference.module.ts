import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceSeedService } from './reference-seed.service.js';
import { REFERENCE_ENTITIES } from './reference.entities.js';
import { ReferenceRepository } from './reference.repository.js';
import { ReferenceService } from './reference.service.js';

@Module({
  imports: [TypeOrmModule.forFeature(REFERENCE_ENTITIES)],
  providers: [ReferenceRepository, ReferenceService, ReferenceSeedService],
  exports: [ReferenceService, ReferenceSeedService],
})
export class ReferenceModule {}
