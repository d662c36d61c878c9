export * from './job-names.js';
export * from './job-handler.js';
export * from './job-run.repository.js';
export * from './queue.service.js';
export * from './queue.module.js';
export * from './in-process-runner.js';
export { redisOptionsFromUrl } from './redis-options.js';
export * from './daily-job.js';
