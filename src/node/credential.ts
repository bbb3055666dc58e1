// An admin client credential on disk, as `pakaya cluster credential NAME --out DIR` writes it:
// DIR/client-NAME.crt, DIR/client-NAME.key and DIR/ca.crt. `--credential` names the certificate file
// or the directory (which must then hold exactly one client-*.crt). Read errors are CredentialError.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CREDENTIAL_FILE_MAX } from './limits.js';

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

export interface Credential {
  certPem: string;
  keyPem: string;
  caPem: string;
}

function readSmall(path: string, what: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CredentialError(`credential: no ${what} at ${path}`);
  }
  if (size > CREDENTIAL_FILE_MAX)
    throw new CredentialError(`credential: ${path} is over ${CREDENTIAL_FILE_MAX} bytes`);
  const text = readFileSync(path, 'utf8');
  if (!/-----BEGIN [A-Z ]+-----/.test(text)) throw new CredentialError(`credential: ${path} is not PEM`);
  return text;
}

/** Loads the credential at `path` (a client-NAME.crt file, or the directory holding one). */
export function loadCredential(path: string): Credential {
  let certPath = path;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new CredentialError(`credential: ${path} does not exist`);
  }
  if (isDir) {
    const certs = readdirSync(path).filter((f) => /^client-.+\.crt$/.test(f));
    if (certs.length !== 1)
      throw new CredentialError(
        `credential: ${path} holds ${certs.length} client-*.crt files; name the one to use`,
      );
    certPath = join(path, certs[0] as string);
  }
  if (!certPath.endsWith('.crt')) throw new CredentialError(`credential: ${certPath} is not a .crt file`);
  const dir = dirname(certPath);
  return {
    certPem: readSmall(certPath, 'certificate'),
    keyPem: readSmall(join(dir, `${basename(certPath, '.crt')}.key`), 'private key'),
    caPem: readSmall(join(dir, 'ca.crt'), 'CA certificate'),
  };
}
