export { contract, type Contract } from './router.js';
export * from './errors.js';
export * from './clientKey.js';
export * from './widgetConfig.js';
export * from './tokens.js';
export * from './userToken.js';
export * from './claims.js';
export * from './jwks.js';
