import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Or, type Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';

/** The only place the api_key table is queried. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  async insert(row: ApiKeyEntity): Promise<void> {
    await this.repo.insert(row);
  }

  /** Insert unless a key with this hash exists (demo keys are fixed); true when inserted. */
  async insertIfAbsent(row: ApiKeyEntity): Promise<boolean> {
    const res = await this.repo.createQueryBuilder().insert().values(row).orIgnore().returning('id').execute();
    return (res.raw as unknown[]).length > 0;
  }

  byHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ keyHash });
  }

  byId(id: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const res = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at });
    return (res.affected ?? 0) > 0;
  }

  list(departmentId?: string): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: departmentId ? { departmentId } : {}, order: { createdAt: 'ASC' } });
  }

  /** Record use at most once a minute per key, so reads do not turn into a write each. */
  async touch(id: string, at: Date): Promise<void> {
    await this.repo.update({ id, lastUsedAt: Or(IsNull(), LessThan(new Date(at.getTime() - 60_000))) }, { lastUsedAt: at });
  }
}
