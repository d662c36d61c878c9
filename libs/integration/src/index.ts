export * from './integration.module.js';
export * from './import.service.js';
export * from './import.repository.js';
export * from './error-report.js';
export { IMPORT_FIELDS, isImportField, type ImportField } from './columns.js';
export type { ImportFormat, TextEncoding } from './readers.js';
