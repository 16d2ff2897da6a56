/**
 * The layer rules of the architecture map (README, "Architecture in brief"), checked by `npm run lint:layers`
 * (part of `npm test`):
 *
 *   functions → services → ports ← adapters;   domain imports nothing but domain;   no import cycles.
 *
 * `shared/runtime.ts` is the composition root: the one place (besides bin/, lib/ and test/) that picks adapters
 * for the ports. Each rule says why it exists; a violation prints that reason.
 */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules import each other in a circle: split out what both need.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'shared/domain is pure TypeScript: it imports only shared/domain (and the pure libraries zod, re2js and node:crypto). Ports, adapters, ' +
        'services and I/O depend on the domain, never the other way round.',
      from: { path: '^shared/domain/' },
      to: {
        pathNot: ['^shared/domain/', '^node_modules/(zod|re2js)/', '^crypto$', '^node:crypto$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-types-are-domain',
      severity: 'error',
      comment:
        'Types of the domain live in the domain: shared/domain must not take types from ports or adapters.',
      from: { path: '^shared/domain/' },
      to: { path: '^shared/(ports|adapters|services|http|stream|banks|generator)/' },
    },
    {
      name: 'ports-know-only-the-domain',
      severity: 'error',
      comment: 'A port is an interface in domain words: it imports the domain and other ports only.',
      from: { path: '^shared/ports/' },
      to: { pathNot: ['^shared/ports/', '^shared/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'services-use-ports-not-adapters',
      severity: 'error',
      comment:
        'Services talk to storage, queues and alerts through ports (shared/ports); which adapter stands behind a ' +
        'port is chosen by the composition root (shared/runtime.ts), bin/, lib/ or a test.',
      from: { path: '^shared/services/' },
      to: { path: '^shared/adapters/' },
    },
    {
      name: 'adapters-do-not-call-services',
      severity: 'error',
      comment: 'Adapters implement ports; they never call services or Lambda entry points.',
      from: { path: '^shared/adapters/' },
      to: { path: '^(shared/services|functions)/' },
    },
    {
      name: 'functions-are-entry-points',
      severity: 'error',
      comment:
        'Nothing imports a Lambda entry point (functions/); they import services, http and the runtime.',
      from: { pathNot: '^(functions|lib|bin|test)/' },
      to: { path: '^functions/' },
    },
    {
      name: 'functions-do-not-reach-adapters',
      severity: 'error',
      comment:
        'Handlers stay thin: they validate, call a service and shape the answer. They get adapters from the ' +
        'composition root (shared/runtime.ts), not by importing them.',
      from: { path: '^functions/' },
      to: { path: '^shared/adapters/' },
    },
    {
      name: 'shared-does-not-import-infrastructure',
      severity: 'error',
      comment:
        'shared/ is the code the functions ship; it never imports the CDK app, the twin (lib/) or tests.',
      from: { path: '^shared/' },
      to: { path: '^(lib|bin|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(cdk\\.out|\\.data|\\.cache|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
