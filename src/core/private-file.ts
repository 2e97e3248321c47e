/**
 * Files the gateway writes for one reader (exports of the log and the trail, backups, private keys, files handed
 * out to a system) are made mode 0600 and never written through a name someone else could have placed. The file is
 * made in a fresh folder of our own beside the target (mkdtemp: a new name, mode 0700, so nothing can be planted
 * in it), then moved into place: rename replaces the target's own directory entry, a symbolic link included, and
 * never writes to what a link points to. Readers see the whole file or none.
 */
import { link, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface PrivateFileOptions {
  /** Replace a file already at the target (the default), or refuse it as existing (`EEXIST`). */
  readonly replace?: boolean;
}

/**
 * Writes `target` through `write`, which makes the file at the path it is given, any way it likes (writeFile, a
 * stream, better-sqlite3's backup): only we can reach that path. The file is then made 0600, synced and moved into
 * place; on any failure nothing is left behind and the target is as it was.
 */
export async function writePrivateFile(
  target: string,
  write: (draft: string) => Promise<void>,
  options: PrivateFileOptions = {},
): Promise<void> {
  const folder = await mkdtemp(join(dirname(target), `.${basename(target).slice(0, 64)}.`));
  try {
    const draft = join(folder, 'file');
    await write(draft);
    const file = await open(draft, 'r+');
    try {
      await file.chmod(0o600);
      await file.sync();
    } finally {
      await file.close();
    }
    // link refuses an existing target (a link at it too) in one step, where a check before it could be raced.
    if (options.replace === false) await link(draft, target);
    else await rename(draft, target);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
