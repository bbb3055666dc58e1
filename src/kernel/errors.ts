// Errors the kernel throws at the node (never at a process: processes get errno values).
export class KernelError extends Error {
  override readonly name = 'KernelError';
}
