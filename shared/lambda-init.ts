/**
 * Run first in every Lambda bundle (esbuild `inject`, lib/bundling.ts): what a function needs before any of its own
 * modules load. Today: stack traces mapped to the sources lazily, when one is printed (shared/stack-trace.ts).
 */
import { installLazySourceMaps } from './stack-trace';

installLazySourceMaps();
