// writeFileAtomic when things go wrong: a temp file left by a killed writer is swept by the next
// write into the same folder (a live writer's is left alone), and a missing or unwritable
// directory gives a FileWriteError naming the user's path, never the internal temp file.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileWriteError, sweepStaleTempFiles, writeFileAtomic } from '../../../kernel/files/atomic-write';

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aw-fail-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

/** The pid of a process that has exited (so no writer can own a temp file named after it). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const MODULE = resolve(__dirname, '../../../kernel/files/atomic-write.ts');

describe('temp files of killed writes', () => {
  it('a writer killed with SIGKILL mid-write leaves its temp file; the next write into the folder removes it', async () => {
    const dir = freshDir();
    const target = join(dir, 'trace.arrow');
    // A real writer of 64 MiB files (write + fsync take a while), killed once its temp file exists.
    const script = join(dir, 'writer.mts');
    writeFileSync(script, `
      import { writeFileAtomic } from ${JSON.stringify(MODULE)};
      const big = new Uint8Array(64 * 2 ** 20);
      for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(join(dir, 'other'))} + i, big);
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const hasTemp = () => readdirSync(dir).some((n) => n.endsWith('.tmp'));
    for (let i = 0; i < 60_000 && !hasTemp(); i++) await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The kill may land between two writes; then plant what a killed write leaves (its own name scheme).
    if (!hasTemp()) writeFileSync(join(dir, `.other9.${child.pid}-0123456789ab.tmp`), new Uint8Array(1 << 20));
    expect(hasTemp()).toBe(true);
    writeFileAtomic(target, 'ok');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('sweeps temp files of dead processes and pid-less ones from earlier versions, keeps those of live writers', () => {
    const dir = freshDir();
    const dead = join(dir, `.a.arrow.${deadPid()}-aaaaaaaaaaaa.tmp`);
    const live = join(dir, `.b.arrow.${process.ppid}-bbbbbbbbbbbb.tmp`);
    const oldStyle = join(dir, '.c.arrow.cccccccccccc.tmp');
    const oldStyleFresh = join(dir, '.d.arrow.dddddddddddd.tmp');
    const notOurs = join(dir, '.e.arrow.tmp');
    for (const p of [dead, live, oldStyle, oldStyleFresh, notOurs]) writeFileSync(p, 'x');
    const hourAgo = (Date.now() - 3600_000) / 1000;
    utimesSync(oldStyle, hourAgo, hourAgo);
    writeFileAtomic(join(dir, 'new.arrow'), 'data');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(oldStyle)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(oldStyleFresh)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
    // A live writer's temp file goes once it is a day old (its writer is stuck or the pid reused).
    const twoDaysAgo = (Date.now() - 48 * 3600_000) / 1000;
    utimesSync(live, twoDaysAgo, twoDaysAgo);
    expect(sweepStaleTempFiles(dir)).toBe(1);
    expect(existsSync(live)).toBe(false);
  });
});

describe('write errors name the user\'s path', () => {
  it('a missing parent directory', () => {
    const target = join(freshDir(), 'no', 'such', 'dir', 'result.json');
    let err: unknown;
    try { writeFileAtomic(target, '{}'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FileWriteError);
    expect((err as FileWriteError).path).toBe(target);
    expect((err as Error).message).toBe(`cannot write ${target}: the directory ${join(target, '..')} does not exist`);
    expect((err as Error).message).not.toMatch(/\.tmp/);
  });

  it('a directory the user may not write to (checked as an unprivileged user when run as root)', () => {
    const dir = freshDir();
    chmodSync(dir, 0o555);
    const target = join(dir, 'out.arrow');
    const code = `import(${JSON.stringify(MODULE)}).then(({ writeFileAtomic }) => {
      try { writeFileAtomic(${JSON.stringify(target)}, 'x'); console.log(JSON.stringify({ ok: true })); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, path: e.path, code: e.code })); }
    })`;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, HOME: tmpdir() }, ...asNobody });
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
    expect(out, r.stderr).toEqual({ name: 'FileWriteError', message: `cannot write ${target}: permission denied (cannot create files in ${dir})`, path: target, code: 'EACCES' });
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('a target that is a directory', () => {
    const dir = freshDir();
    expect(() => writeFileAtomic(dir, 'x', { overwrite: true })).toThrow(new FileWriteError(dir, 'EISDIR', `${dir} is a directory`));
  });
});
