// Checkpoint image files on the host: reading one for a restore (a regular file only, opened
// non-blocking so a FIFO cannot hang the node, its header checked before the rest is read) and
// checking where a checkpoint may be written (a regular file or a new name, never a device, FIFO,
// symlink or directory, and never a file of the node's own home).
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { IMAGE_FILE_MAX } from './limits.js';
import type { NodeKernel } from './node-kernel.js';

/** Bytes read first, for the kernel to judge the header (the real format's header is 16). */
const HEADER_BYTES = 16;

/** Why a file cannot be used: an HTTP status, a code and a message for the admin API. */
export interface FileRefusal {
  refused: true;
  status: number;
  code: string;
  message: string;
}

const refuse = (status: number, code: string, message: string): FileRefusal => ({
  refused: true,
  status,
  code,
  message,
});

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * Reads a checkpoint image for `kernel`. Refuses, before reading the whole file: a missing file
 * (400), a non-regular one (400), a bad header (422) or a size the header does not allow (413), and
 * an unreadable file (422).
 */
export async function readImageFile(
  path: string,
  kernel: Pick<NodeKernel, 'imageSizeLimit'>,
): Promise<Uint8Array | FileRefusal> {
  try {
    const before = await stat(path);
    if (!before.isFile()) return refuse(400, 'bad_request', `${path} is not a regular file`);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return refuse(400, 'bad_request', `no image file at ${path}`);
    return refuse(422, 'io_error', `cannot read image ${path}: ${codeOf(err)}`);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking: should the path become a FIFO between the check and the open, it cannot hang us.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return refuse(422, 'io_error', `cannot read image ${path}: ${codeOf(err)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return refuse(400, 'bad_request', `${path} is not a regular file`);
    const header = new Uint8Array(HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    let maxBytes: number;
    try {
      maxBytes = kernel.imageSizeLimit(header.subarray(0, bytesRead));
    } catch (err) {
      if (err instanceof Error && err.name === 'ImageError')
        return refuse(422, 'bad_image', `cannot restore ${path}: ${err.message}`);
      throw err;
    }
    const limit = Math.min(maxBytes, IMAGE_FILE_MAX);
    if (info.size > limit)
      return refuse(413, 'too_large', `${path} is ${info.size} bytes; its header allows at most ${limit}`);
    const bytes = new Uint8Array(info.size);
    let done = 0;
    while (done < bytes.length) {
      const r = await handle.read(bytes, done, bytes.length - done, done);
      if (r.bytesRead === 0) break;
      done += r.bytesRead;
    }
    return done === bytes.length ? bytes : bytes.subarray(0, done);
  } catch (err) {
    return refuse(422, 'io_error', `cannot read image ${path}: ${codeOf(err)}`);
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Checks that a checkpoint may be written to `path` for the node whose home is `home`: undefined
 * when it may, else why not. The destination must be a new name or an existing regular file (a
 * device, FIFO, socket, directory or symlink there is refused: the write would replace it), and not
 * in the node's home (its lock, counter and socket are the node's own).
 */
export async function checkCheckpointDestination(
  path: string,
  home: string,
): Promise<FileRefusal | undefined> {
  try {
    const info = await lstat(path);
    if (!info.isFile())
      return refuse(
        400,
        'bad_request',
        `${path} exists and is not a regular file (${kindOf(info)}); a checkpoint would replace it`,
      );
  } catch (err) {
    if (codeOf(err) !== 'ENOENT') return refuse(422, 'io_error', `cannot check ${path}: ${codeOf(err)}`);
  }
  let dir: string;
  let homeDir: string;
  try {
    dir = await realpath(dirname(path));
    homeDir = await realpath(home);
  } catch (err) {
    return refuse(422, 'io_error', `cannot write image to ${path}: ${codeOf(err)}`);
  }
  const inside = relative(homeDir, dir);
  const outside = inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  if (!outside)
    return refuse(
      400,
      'bad_request',
      `${path} is inside the node's home ${home}; write checkpoints elsewhere`,
    );
  return undefined;
}

function kindOf(info: Awaited<ReturnType<typeof lstat>>): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}
