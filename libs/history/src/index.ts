export * from './history.js';
export * from './history.module.js';
export * from './history.repository.js';
export * from './history.service.js';
