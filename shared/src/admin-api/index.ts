export * from './types.js';
export * from './routes.js';
export * from './errors.js';
export * from './signed-request.js';
export * from './client.js';
