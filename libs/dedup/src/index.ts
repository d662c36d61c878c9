export * from './normalise.js';
export * from './matcher.js';
export * from './fund-overlap.js';
export * from './match-index.repository.js';
export * from './alert.repository.js';
export * from './dedup.service.js';
export * from './dedup.module.js';
