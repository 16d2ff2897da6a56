import { relative, resolve } from 'node:path';
import { PROJECT_ROOT } from './bundling';
import type { FunctionSpec } from './catalogue';

/** Catalogue mistakes that CloudFormation would only reject at deploy time, caught at synth time. */
export function validateCatalogue(specs: readonly FunctionSpec[]): void {
  const names = new Set<string>();
  const routeKeys = new Set<string>();
  for (const spec of specs) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.name))
      throw new Error(`Catalogue: name ${spec.name} must be PascalCase`);
    if (names.has(spec.name)) throw new Error(`Catalogue: duplicate function name ${spec.name}`);
    names.add(spec.name);
    if (relative(PROJECT_ROOT, resolve(PROJECT_ROOT, spec.entry)).startsWith('..')) {
      throw new Error(`Catalogue: ${spec.name}'s entry ${spec.entry} is outside the repository`);
    }
    for (const route of spec.routes ?? []) {
      const key = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
      if (routeKeys.has(key)) throw new Error(`Catalogue: route ${key} is declared twice`);
      routeKeys.add(key);
      if (route.path !== '$default' && !route.path.startsWith('/')) {
        throw new Error(`Catalogue: ${spec.name}'s path ${route.path} must start with /`);
      }
    }
    if (spec.schedule && !(Number.isInteger(spec.schedule.rateMinutes) && spec.schedule.rateMinutes >= 1)) {
      throw new Error(`Catalogue: ${spec.name}'s schedule rate must be a whole number of minutes >= 1`);
    }
  }
  for (const name of new Set(specs.flatMap((s) => (s.queue ? [s.queue.name] : [])))) {
    const consumers = specs.filter((s) => s.queue?.name === name);
    if (consumers.length > 1) {
      throw new Error(`Catalogue: queue ${name} has ${consumers.length} consumers; one consumer per queue`);
    }
  }
}
