export { AdminError } from './adminError.js';
export * from './secretKeys.js';
export * from './widgets.js';
export * from './signingKeys.js';
export * from './sessions.js';
