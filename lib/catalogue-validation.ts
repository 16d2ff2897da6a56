import { relative, resolve } from 'node:path';
import { PROJECT_ROOT } from './bundling';
import type { FunctionSpec } from './catalogue';
import type { StorageMode } from './context';

/**
 * Catalogue mistakes that CloudFormation would only reject at deploy time, caught at synth time. With `storage`,
 * `specs` are the entries deployed with it, checked for what that storage can run.
 */
export function validateCatalogue(specs: readonly FunctionSpec[], storage?: StorageMode): void {
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
    if (spec.changes) {
      const { batchSize, maxReceiveCount } = spec.changes;
      if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10)) {
        throw new Error(`Catalogue: ${spec.name}'s changes batchSize must be 1 to 10 (an SQS FIFO queue)`);
      }
      if (!(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1)) {
        throw new Error(`Catalogue: ${spec.name}'s changes maxReceiveCount must be a whole number >= 1`);
      }
    }
    if (storage === 'aurora' && spec.stream) {
      throw new Error(
        `Catalogue: ${spec.name} consumes the table stream, which storage aurora does not have: mark it storage: 'dynamodb'`,
      );
    }
    const postgresOnly =
      spec.changes || spec.runOnDeploy || spec.nudgedByWriters || spec.grants.includes('changes:send');
    if (storage === 'dynamodb' && postgresOnly) {
      throw new Error(
        `Catalogue: ${spec.name} belongs to the Postgres change feed or migrations: mark it storage: 'postgres'`,
      );
    }
  }
  const relays = specs.filter((s) => s.grants.includes('changes:send'));
  if (relays.length > 1) {
    throw new Error(`Catalogue: ${relays.length} functions have changes:send; one outbox relay`);
  }
  const nudged = specs.filter((s) => s.nudgedByWriters);
  if (nudged.length > 1)
    throw new Error(`Catalogue: ${nudged.length} functions are nudgedByWriters; one relay`);
  if (storage === 'aurora' && specs.some((s) => s.changes) && relays.length === 0) {
    throw new Error('Catalogue: change-feed consumers but no outbox relay (a function with changes:send)');
  }
  for (const name of new Set(specs.flatMap((s) => (s.queue ? [s.queue.name] : [])))) {
    const consumers = specs.filter((s) => s.queue?.name === name);
    if (consumers.length > 1) {
      throw new Error(`Catalogue: queue ${name} has ${consumers.length} consumers; one consumer per queue`);
    }
  }
}
