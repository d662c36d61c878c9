export * from './registry.module.js';
export * from './registry.service.js';
export type * from './registry.types.js';
export type { ProjectFilter } from './project.repository.js';
export type { Organisation, Person } from './organisation.repository.js';
export * from './lifecycle.js';
export * from './money.js';
export * from './fund-rules.js';
export { maskIdNumber, normaliseName, validateIdNumber } from './names.js';
