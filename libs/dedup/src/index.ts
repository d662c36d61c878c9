export * from './normalise.js';
export * from './matcher.js';
