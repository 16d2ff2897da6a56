import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgAdmin } from './twin-process';

/**
 * The e2e-postgres project: twins on the machine's PostgreSQL (E2E_STORAGE=postgres), each on a database of its
 * own. A twin's database is dropped when it stops, except those kept across restarts (a `--data-dir`), which are
 * listed in E2E_DB_LIST and dropped here at the end.
 */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'finagg-e2e-pg-'));
  const list = path.join(dir, 'databases');
  process.env.E2E_DB_LIST = list;
  return async () => {
    let names: string[] = [];
    try {
      names = readFileSync(list, 'utf8').split('\n').filter(Boolean);
    } catch {
      // none kept
    }
    for (const name of new Set(names)) {
      await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
