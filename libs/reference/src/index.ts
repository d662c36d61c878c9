export * from './reference.module.js';
export * from './reference.service.js';
export * from './reference-seed.service.js';
export type * from './reference.types.js';
export type { UpsertCounts } from './reference.repository.js';
