// Cluster identity, the public surface: the CA, node and client certificates, join tokens, joining,
// and revocation. Other layers import from here.
export * from './certificates.js';
export * from './errors.js';
export * from './join.js';
export * from './limits.js';
export * from './names.js';
export * from './revocation.js';
export * from './tokens.js';
