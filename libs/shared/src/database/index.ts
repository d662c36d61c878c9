export * from './connection.js';
export * from './data-source.js';
export * from './database.module.js';
export * from './embedded-postgres.js';
export * from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
