export * from './task.service.js';
export * from './meeting.service.js';
export * from './request.service.js';
export * from './consultation.module.js';
