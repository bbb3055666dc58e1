// The kinds of network error (the taxonomy of errors.ts), in wire-code order.

export type NetErrorKind = 'timeout' | 'refused' | 'reset' | 'protocol' | 'auth' | 'overload' | 'unreachable';

export const NET_ERROR_KINDS: readonly NetErrorKind[] = [
  'timeout',
  'refused',
  'reset',
  'protocol',
  'auth',
  'overload',
  'unreachable',
];
