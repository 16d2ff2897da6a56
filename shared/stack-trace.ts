import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Readable stack traces from a minified Lambda bundle, paid for only when a stack is printed.
 *
 * Node's `--enable-source-maps` reads and parses every loaded file's source map while the module loads: ~20-70 ms
 * of each cold start for a 400-900 KiB bundle (its map is 0.7-1.5 MB), on every cold start, whether anything fails
 * or not. The functions run without it and install this instead (lib/bundling.ts LAMBDA_INIT): V8 calls
 * `Error.prepareStackTrace` the first time an error's `stack` is read (a logged error, an uncaught one), and only
 * then is the map beside the bundle (`index.mjs.map`, which the deployment package carries) read, once per file,
 * and each frame of a mapped file shown at its source position (`functions/http/budgets.ts:41:13`).
 *
 * Nothing changes where stacks are already readable: under `--enable-source-maps` or tsx (the twin, the tests), or
 * for a file without a map beside it (Node's own, node_modules outside the bundle).
 */

type CallSite = NodeJS.CallSite;

const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      const path = file.startsWith('file:') ? fileURLToPath(file) : file;
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as never);
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** A map's source, as the repository names it: `../../functions/http/x.ts` → `functions/http/x.ts`. */
function sourceName(source: string): string {
  return source.replace(/^(?:\.\.?\/)+/, '').replace(/^webpack:\/\/\//, '');
}

/** One frame as V8 prints it, with a bundled position replaced by its source position. */
export function mappedFrame(site: CallSite): string {
  const text = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file || line === null || column === null || !/\.m?js$/.test(file)) return text;
  const map = mapOf(file);
  if (!map) return text;
  const entry = map.findEntry(line - 1, column - 1) as Partial<{
    originalSource: string;
    originalLine: number;
    originalColumn: number;
    name: string;
  }>;
  if (entry.originalSource === undefined || entry.originalLine === undefined) return text;
  const at = `${sourceName(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  const generated = `${file}:${line}:${column}`;
  return text.includes(generated) ? text.replace(generated, at) : `${text} [${at}]`;
}

function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** `Error.prepareStackTrace`: the header V8 prints, then each frame mapped. */
export function prepareStackTrace(error: unknown, sites: CallSite[]): string {
  return [header(error), ...sites.map((site) => `    at ${mappedFrame(site)}`)].join('\n');
}

/**
 * Installs the lazy mapping (over Node's default formatter), unless stacks are mapped already
 * (`--enable-source-maps`, tsx). Idempotent.
 */
export function installLazySourceMaps(): void {
  if (process.sourceMapsEnabled) return;
  Error.prepareStackTrace = prepareStackTrace;
}
