import { build } from 'esbuild';
import { catalogue } from '../../lib/catalogue';
import { esbuildOptions } from '../../lib/bundling';
import type { Benchmark, Figure } from './types';

/**
 * Each catalogue function's deployed bundle size: esbuild with exactly the stack's bundling options
 * (lib/bundling.ts), in memory. The figure is the minified JavaScript (`index.mjs`), not its source map.
 */
export const benchmarks: Benchmark[] = [
  {
    name: 'bundle-size',
    async run(): Promise<Figure[]> {
      return Promise.all(
        catalogue.map(async (spec): Promise<Figure> => {
          // Built as deployed: for DynamoDB storage (the default), the Postgres-only functions for Aurora.
          const storage = spec.storage === 'postgres' ? 'aurora' : 'dynamodb';
          const result = await build({ ...esbuildOptions(spec.entry, storage), write: false });
          const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
          if (!js) throw new Error(`esbuild produced no .mjs for ${spec.name}`);
          return {
            name: `bundle ${spec.name} minified`,
            value: Math.round((js.contents.byteLength / 1024) * 10) / 10,
            unit: 'KiB',
          };
        }),
      );
    },
  },
];
