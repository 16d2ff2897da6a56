import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { rows, type PgConnection } from './db';

/**
 * Versioned migrations: `migrations/NNNN_<name>.sql`, plain SQL checked in, applied in order, once each, recorded
 * in `schema_migrations`. One SQL transaction holding `pg_advisory_xact_lock`: two processes starting at once
 * (twin, tests, the cloud's migration step) apply each file once, and a failing file leaves nothing behind. The
 * same on PostgreSQL, PGlite and the Data API (which runs one statement per call: files are split here).
 *
 * Numbering (issue 12): 0001–0009 core stores, 0010–0019 insights and the mock banks' state, 0020–0029 the feed.
 */

/** The folder of the migration files beside this module (a bundle copies it next to itself: MIGRATIONS_DIR). */
export function migrationsDir(): string {
  return process.env.MIGRATIONS_DIR ?? fileURLToPath(new URL('./migrations', import.meta.url));
}

/** Any 64-bit number the application owns; `hashtext('finagg schema_migrations')` would do as well. */
const LOCK_KEY = 7_236_120_112;

export interface Migration {
  name: string;
  statements: string[];
}

/** The migration files of a folder, in order. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      name: f.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(join(dir, f), 'utf8')),
    }));
}

/**
 * Applies the migrations not applied yet; returns their names. Safe to run at every start and from many
 * processes at once.
 */
export async function migrate(conn: PgConnection, migrations = loadMigrations()): Promise<string[]> {
  return conn.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.execute(
      sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await rows<{ name: string }>(tx, sql`SELECT name FROM schema_migrations`)).map((r) => r.name),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      for (const statement of m.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`INSERT INTO schema_migrations (name) VALUES (${m.name})`);
      applied.push(m.name);
    }
    return applied;
  });
}

/**
 * A file's statements: split on `;` outside comments, quoted strings, quoted names and dollar-quoted bodies
 * (`$$ … $$`, `$fn$ … $fn$`). Empty statements (comments only) are left out.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  const push = () => {
    const s = current.replace(/^(\s|--[^\n]*\n?)+/, '').trim();
    if (s) out.push(s);
    current = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i);
    if (rest.startsWith('--')) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end + 1;
      current += text.slice(i, stop);
      i = stop;
    } else if (rest.startsWith('/*')) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      current += text.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(rest)) {
      const tag = /^\$[A-Za-z_]*\$/.exec(rest)![0];
      const end = text.indexOf(tag, i + tag.length);
      const stop = end === -1 ? text.length : end + tag.length;
      current += text.slice(i, stop);
      i = stop;
    } else if (c === ';') {
      push();
      i++;
    } else {
      current += c;
      i++;
    }
  }
  push();
  return out;
}
