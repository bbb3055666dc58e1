// The one error type of process control: a code callers switch on (and the admin API maps to an
// HTTP status) and a one-line message a person can read.

export const PROCS_ERROR_CODES = [
  'bad_request', // malformed input: a bad NPID, signal, program or argument
  'need_program', // the node does not hold the program's bytes (the asker sends them)
  'not_here', // the node does not own the process (it moved, or the record is stale)
  'no_such_process', // no registry record, or no such process on its owner
  'no_such_node', // the named node is not a live member, or has no link
  'forbidden', // the asking node lacks the right in the registry ACLs
  'refused', // the kernel refused (too many processes, a bad ELF, out of memory)
  'conflict', // the registry already had the record, or the ownership changed under us
  'full', // too many requests in flight
  'timeout', // the other node did not answer in time
  'unavailable', // the registry or the link is unavailable
  'internal',
] as const;

export type ProcsErrorCode = (typeof PROCS_ERROR_CODES)[number];

export class ProcsError extends Error {
  override readonly name = 'ProcsError';
  constructor(
    readonly code: ProcsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isProcsErrorCode(code: string): code is ProcsErrorCode {
  return (PROCS_ERROR_CODES as readonly string[]).includes(code);
}

/** The HTTP status the admin API answers for a code. */
export function httpStatus(code: ProcsErrorCode): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'forbidden':
      return 403;
    case 'no_such_process':
    case 'no_such_node':
      return 404;
    case 'need_program':
    case 'refused':
    case 'conflict':
    case 'not_here':
      return 409;
    case 'full':
    case 'unavailable':
      return 503;
    case 'timeout':
      return 504;
    default:
      return 500;
  }
}
