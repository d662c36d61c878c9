export * from './platform.module.js';
export * from './seed.service.js';
