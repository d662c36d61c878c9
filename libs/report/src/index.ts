export * from './report.types.js';
export * from './report-compiler.js';
export * from './report.service.js';
export * from './render-html.js';
export * from './render-svg.js';
export * from './render-xlsx.js';
export * from './report.module.js';
export * from './chromium.js';
