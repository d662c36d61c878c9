export * from './identity.module.js';
export * from './api-key.service.js';
export * from './roles.js';
export * from './principal.js';
