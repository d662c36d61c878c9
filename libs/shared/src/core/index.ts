export * from './errors.js';
export * from './ids.js';
export * from './clock.js';
export * from './project-root.js';
export * from './core.module.js';
