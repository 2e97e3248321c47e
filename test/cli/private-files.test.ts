/**
 * Files that hold what the store holds are readable by their owner only, whatever the umask, and are never written
 * through a name someone else could have placed: the store itself (and its WAL files), `log export` (bodies opened),
 * `audit export` and `backup` (the card service's keys). A symbolic link planted at the target, or at the name an
 * export used to write first (`<file>.tmp`), is replaced or refused, and what it points to is left as it was.
 */
import { expect } from 'chai';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../../src/core/private-file.js';
import { openStore } from '../../src/store/store.js';
import { runCli } from './support.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('private files', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-private-files-'));
  const store = join(dir, 'data', 'gateway.db');
  const inDir = { cwd: dir, env: { SQLITE_FILE: store } };
  const victim = join(dir, 'victim.txt');
  let umask: number;

  before(async () => {
    umask = process.umask(0o022); // the usual one, which the commands run under too
    const opened = await openStore({ sqliteFile: store });
    await opened.db.selectFrom('message_log').select('seq').execute();
    await opened.close();
  });
  beforeEach(() => writeFileSync(victim, 'precious\n'));
  after(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A link someone could plant at `name`, to the victim. */
  const plant = (name: string) => {
    const path = join(dir, name);
    symlinkSync(victim, path);
    return path;
  };
  const expectVictimUntouched = () => expect(readFileSync(victim, 'utf8')).to.equal('precious\n');

  it('the store the gateway makes: its folder 0700, the file and its WAL files 0600', async () => {
    expect(modeOf(join(dir, 'data'))).to.equal(0o700);
    const opened = await openStore({ sqliteFile: store });
    try {
      await opened.db.selectFrom('message_log').select('seq').execute();
      for (const file of [store, `${store}-wal`, `${store}-shm`]) expect(modeOf(file), file).to.equal(0o600);
    } finally {
      await opened.close();
    }
  });

  it('log export: 0600, and a link at the target is replaced, not written through', async () => {
    const out = plant('log.json');
    const run = await runCli(
      ['log', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--out', out],
      inDir,
    );
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(lstatSync(out).isSymbolicLink()).to.equal(false);
    expect(modeOf(out)).to.equal(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.have.property('format');
    expectVictimUntouched();
  });

  it('audit export: 0600, and links at the target and at <file>.tmp are not written through', async () => {
    const out = plant('audit.json');
    plant('audit.json.tmp');
    const run = await runCli(['audit', 'export', '--out', out], inDir);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(lstatSync(out).isSymbolicLink()).to.equal(false);
    expect(modeOf(out)).to.equal(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.have.property('entries');
    expectVictimUntouched();
  });

  it('backup: 0600, and a link at the target is refused as an existing file', async () => {
    const out = join(dir, 'backup.db');
    const run = await runCli(['backup', '--out', out], inDir);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(modeOf(out)).to.equal(0o600);

    const planted = plant('planted.db');
    const refused = await runCli(['backup', '--out', planted], inDir);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('exists');
    expectVictimUntouched();
  });

  it('a file written privately never goes over an existing one when told not to, even a dangling link', async () => {
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'nowhere'), dangling);
    let failure: unknown;
    await writePrivateFile(dangling, (draft) => Promise.resolve(writeFileSync(draft, 'x')), {
      replace: false,
    }).catch((error: unknown) => (failure = error));
    expect((failure as NodeJS.ErrnoException).code).to.equal('EEXIST');
    expect(() => statSync(join(dir, 'nowhere'))).to.throw();
  });
});
