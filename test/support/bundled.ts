import { build } from 'esbuild';
import { esbuildOptions } from '../../lib/bundling';
import type { FunctionSpec } from '../../lib/catalogue';

/**
 * What each function's bundle holds: one esbuild run over the functions' entries with the deployed options (lib/
 * bundling.ts), without maps or minifying (what is bundled, not how: half the time on a loaded machine). Entry path
 * → the input files with bytes in its output.
 */
export async function bundledInputs(functions: readonly FunctionSpec[]): Promise<Map<string, string[]>> {
  const result = await build({
    ...esbuildOptions(functions[0]!.entry),
    entryPoints: Object.fromEntries(functions.map((f) => [f.name, f.entry])),
    outfile: undefined,
    outdir: 'out',
    write: false,
    metafile: true,
    sourcemap: false,
    minify: false,
  });
  return new Map(
    Object.values(result.metafile.outputs)
      .filter((o) => o.entryPoint)
      .map((o) => [
        o.entryPoint!,
        Object.entries(o.inputs)
          .filter(([, i]) => i.bytesInOutput > 0)
          .map(([file]) => file),
      ]),
  );
}
