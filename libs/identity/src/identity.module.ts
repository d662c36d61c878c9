import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceModule } from '#reference';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeyService } from './api-key.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), ReferenceModule],
  providers: [ApiKeyRepository, ApiKeyService],
  exports: [ApiKeyService],
})
export class IdentityModule {}
