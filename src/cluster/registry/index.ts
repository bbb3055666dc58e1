// The registry's public surface: import from here.

export { type AclTable, aclTable, allowed, checkAccess } from './acl.js';
export type {
  CasResult,
  DeleteResult,
  GetResult,
  ListResult,
  PutResult,
  RegistryClient,
  TxnResult,
  WatchOptions,
  WriteOptions,
} from './client.js';
export { decodeCommand, decodeResult, encodeCommand, encodeResult } from './codec.js';
export { RegistryAssertionError, RegistryError, type RegistryErrorCode } from './errors.js';
export * as limits from './limits.js';
export { LocalRegistry } from './local.js';
export { LogRegistryClient, type RegistryLog } from './log-client.js';
export * from './schema.js';
export { RegistryStateMachine } from './state-machine.js';
export * from './types.js';
export { type WatchHandle, WatchHub, type WatchListener } from './watch.js';
