// How a command reaches a node's admin API: the unix socket of the node at --home, or, with
// --admin HOST:PORT --credential FILE (or $PAKAYA_ADMIN and $PAKAYA_CREDENTIAL), a node's mTLS admin
// listener with an admin client credential from `pakaya cluster credential NAME`.
import { type Command, Option } from 'commander';
import { AdminClient } from '../node/admin-client.js';
import { loadCredential } from '../node/credential.js';
import { resolveHome } from '../node/home.js';
import { UsageError } from './io.js';
import { parseAddress } from './options.js';

export interface AdminOptions {
  home?: string;
  node?: string;
  admin?: { host: string; port: number };
  credential?: string;
}

/** Adds --admin and --credential to a command. */
export function addAdminOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--admin <host:port>',
        "a node's mTLS admin listener (node start --admin-listen) instead of --home (default $PAKAYA_ADMIN)",
      ).argParser(parseAddress),
    )
    .addOption(
      new Option(
        '--credential <file|dir>',
        'the client-NAME.crt (key and ca.crt beside it) for --admin (default $PAKAYA_CREDENTIAL)',
      ),
    );
}

/** The client for a command's options: --admin (or $PAKAYA_ADMIN) wins over --home. */
export function adminClient(options: AdminOptions): AdminClient {
  let admin = options.admin;
  const env = process.env.PAKAYA_ADMIN;
  if (admin === undefined && env !== undefined && env !== '') {
    try {
      admin = parseAddress(env);
    } catch (err) {
      throw new UsageError(`$PAKAYA_ADMIN: ${(err as Error).message}`);
    }
  }
  if (admin === undefined) {
    if (options.credential !== undefined) throw new UsageError('--credential needs --admin HOST:PORT');
    return new AdminClient(resolveHome(options.home), undefined, options.node);
  }
  const path = options.credential ?? process.env.PAKAYA_CREDENTIAL;
  if (path === undefined || path === '')
    throw new UsageError(
      '--admin needs --credential FILE (or $PAKAYA_CREDENTIAL): see pakaya cluster credential',
    );
  return new AdminClient('', undefined, options.node, { ...admin, credential: loadCredential(path) });
}
