import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, NotFoundError, requireUuid, UnauthenticatedError, ValidationError } from '#shared/core/index.js';
import { ReferenceService, type Department } from '#reference';
import { ApiKeyRepository } from './api-key.repository.js';
import type { Principal } from './principal.js';
import { allowedRoles, ApiRole, DEFAULT_ROLE, parseRole } from './roles.js';

export interface ApiKeyInfo {
  id: string;
  departmentCode: string;
  role: ApiRole;
  label: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The secret itself: shown once, stored only as a hash. */
  key: string;
}

const KEY_PREFIX = 'lk_';
const KEY_SHAPE = /^(lk_[A-Za-z0-9_-]{32}|demo_[a-z0-9]{2,16}_[a-z0-9]{16})$/;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Department credentials. Keys are random 192-bit secrets shown once and stored as SHA-256
 * hashes (a fast hash is right for high-entropy keys; it is not a password).
 */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  async create(input: { departmentCode: string; role?: string; label?: string }): Promise<CreatedApiKey> {
    const department = await this.departmentOrFail(input.departmentCode);
    const role = this.roleFor(department, input.role);
    const label = (input.label ?? '').trim();
    if (label.length > 200) throw ValidationError.field('label', 'must be at most 200 characters');
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const row = {
      id: randomUUID(),
      departmentId: department.id,
      role,
      label,
      keyPrefix: key.slice(0, 8),
      keyHash: hashKey(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.keys.insert(row);
    return { ...this.info(row, department), key };
  }

  /**
   * The fixed demo key of a department (`demo_<code>_<16 chars>`), created by `seed --demo`
   * so that a first-time user can try the API. Never use demo data in production.
   */
  async ensureDemoKey(departmentCode: string): Promise<{ key: string; created: boolean; department: Department; role: ApiRole }> {
    const department = await this.departmentOrFail(departmentCode);
    const code = department.code.toLowerCase();
    const key = `demo_${code}_${'demokey' + code.padEnd(9, '0').slice(0, 9)}`;
    const role = DEFAULT_ROLE[department.linkageRole];
    const created = await this.keys.insertIfAbsent({
      id: randomUUID(),
      departmentId: department.id,
      role,
      label: 'demo key (seed --demo)',
      keyPrefix: key.slice(0, 8),
      keyHash: hashKey(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
    });
    return { key, created, department, role };
  }

  async revoke(id: string): Promise<ApiKeyInfo> {
    requireUuid('id', id.trim(), `"${id}" is not a key id (a UUID, as "apikey list" shows)`);
    const row = await this.keys.byId(id.trim());
    if (!row) throw new NotFoundError('API key', id);
    await this.keys.revoke(row.id, this.clock.now());
    const after = (await this.keys.byId(row.id))!;
    const department = await this.reference.departmentById(after.departmentId);
    return this.info(after, department!);
  }

  async list(departmentCode?: string): Promise<ApiKeyInfo[]> {
    const department = departmentCode ? await this.departmentOrFail(departmentCode) : undefined;
    const rows = await this.keys.list(department?.id);
    const departments = new Map((await this.reference.departments()).map((d) => [d.id, d]));
    return rows.map((r) => this.info(r, departments.get(r.departmentId)!));
  }

  /** Resolve a presented key to its department and role; refuses unknown, malformed and revoked keys. */
  async authenticate(presented: string): Promise<Principal & { kind: 'department' }> {
    const key = presented.trim();
    if (!KEY_SHAPE.test(key)) throw new UnauthenticatedError('The API key is malformed; keys look like lk_… as printed by "npm run cli -- apikey create".');
    const row = await this.keys.byHash(hashKey(key));
    if (!row) throw new UnauthenticatedError('The API key is not known.');
    if (row.revokedAt) throw new UnauthenticatedError(`The API key was revoked on ${row.revokedAt.toISOString()}.`);
    const department = await this.reference.departmentById(row.departmentId);
    if (!department) throw new UnauthenticatedError('The API key belongs to a department that no longer exists.');
    await this.keys.touch(row.id, this.clock.now());
    return { kind: 'department', keyId: row.id, departmentId: department.id, departmentCode: department.code, role: row.role as ApiRole };
  }

  private async departmentOrFail(code: string): Promise<Department> {
    if (!code || !code.trim()) throw ValidationError.field('department', 'is required (a department code such as KW)');
    const department = await this.reference.resolveDepartment(code);
    if (!department) {
      const known = (await this.reference.departments()).map((d) => d.code).join(', ');
      throw ValidationError.field('department', `"${code}" is not a known department (known: ${known || 'none — run "npm run cli -- seed" first'})`);
    }
    return department;
  }

  private roleFor(department: Department, requested?: string): ApiRole {
    const allowed = allowedRoles(department);
    if (requested === undefined || requested.trim() === '') return DEFAULT_ROLE[department.linkageRole];
    const role = parseRole(requested);
    if (!role) throw ValidationError.field('role', `"${requested}" is not a role (one of ${Object.values(ApiRole).join(', ')})`);
    if (!allowed.includes(role)) {
      throw ValidationError.field('role', `${department.code} (${department.linkageRole}) cannot hold role ${role}; allowed: ${allowed.join(', ')}`);
    }
    return role;
  }

  private info(row: { id: string; role: string; label: string; keyPrefix: string; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null }, department: Department): ApiKeyInfo {
    return {
      id: row.id,
      departmentCode: department.code,
      role: row.role as ApiRole,
      label: row.label,
      keyPrefix: row.keyPrefix,
      createdAt: row.createdAt,
      revokedAt: row.revokedAt,
      lastUsedAt: row.lastUsedAt,
    };
  }
}
