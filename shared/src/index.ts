export * from './errors.js';
export * from './names.js';
