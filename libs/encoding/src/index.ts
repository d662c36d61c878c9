export * from './uscc.js';
export * from './iso7064.js';
export * from './project-code.js';
export * from './id-number.js';
