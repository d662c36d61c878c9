export * from './credit.types.js';
export * from './credit.service.js';
export * from './credit.module.js';
