export * from './test-database.js';
export { rejection } from './rejection.js';
