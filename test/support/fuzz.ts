import fc from 'fast-check';

/**
 * Property-based request generators built from an operation's own JSON Schemas (the OpenAPI document's
 * parameters and request bodies), for the fuzz and tenancy suite (test/e2e/fuzz.test.ts).
 *
 * `validOf` draws values the schema describes; `malformedOf` draws values that break it in one place (wrong type,
 * missing required field, extra field, out-of-range or oversized string and number, invalid date, bad enum,
 * broken array bounds). A mutation can happen to be valid (dropping an optional field); the suite asks the route's
 * zod schema which it is, so the generator does not have to be exact.
 *
 * The schemas use a small subset of JSON Schema (what zod's toJSONSchema emits for our routes): type, enum,
 * anyOf, properties/required/additionalProperties, items/minItems/maxItems, minLength/maxLength/pattern/format,
 * minimum/maximum/exclusiveMinimum. Written here rather than taken from a package: the packages that turn JSON
 * Schema into fast-check arbitraries generate valid values only, and the malformed half is the point.
 */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
}

// Dates are drawn from every year ISO 8601 writes with four digits: the routes take 1970-01-01 to a year ahead
// of their clock and must refuse the rest (0000-01-01 was once accepted, then broke a stream processor).
const anyYear = fc.date({
  min: new Date('0000-01-01T00:00:00Z'),
  max: new Date('9999-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const recent = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2100-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const someDate = fc.oneof({ arbitrary: recent, weight: 3 }, { arbitrary: anyYear, weight: 1 });
const validDate = someDate.map((d) => d.toISOString().slice(0, 10));
const validInstant = someDate.map((d) => d.toISOString());

/** Strings that are not dates (or not real ones), and instants that are not RFC 3339. */
const invalidDate = fc.constantFrom(
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '2024-1-1',
  '24-01-01',
  '2024/01/01',
  'yesterday',
  '2024-01-01T00:00:00Z',
  '',
  '１９９９-01-01',
);
const invalidInstant = fc.constantFrom(
  '2024-01-01T25:00:00Z',
  '2024-01-01 00:00:00',
  '2024-02-30T00:00:00Z',
  'now',
  '1700000000',
  '',
);

/** Any JSON value, small. */
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Strings that stress parsers: unicode, control characters, quotes, huge, empty. */
export const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '"',
    "'; DROP TABLE users; --",
    '../../etc/passwd',
    '${jndi:ldap://x}',
    '%00',
    '\uD800',
    '😀'.repeat(50),
    'a'.repeat(5000),
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
  ),
);

function withinLength(s: JsonSchema) {
  return (v: string) =>
    v.length >= (s.minLength ?? 0) && (s.maxLength === undefined || v.length <= s.maxLength);
}

/** Values the schema describes. */
export function validOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validOf));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number': {
      const min = schema.exclusiveMinimum ?? schema.minimum ?? -1_000_000;
      return fc
        .double({ min, max: schema.maximum ?? 1_000_000, noNaN: true, noDefaultInfinity: true })
        .filter((n) => schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum);
    }
    case 'string': {
      if (schema.format === 'date') return validDate;
      if (schema.format === 'date-time') return validInstant;
      if (schema.format === 'uri') return fc.constantFrom('https://example.test/cb', 'http://127.0.0.1:9/cb');
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(withinLength(schema));
      return fc.string({
        minLength: Math.max(1, schema.minLength ?? 0),
        maxLength: Math.min(schema.maxLength ?? 30, 30),
      });
    }
    case 'array':
      return fc.array(validOf(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validOf(v)])), {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      });
    }
    default:
      return anyJson;
  }
}

/** A value of another JSON type than the schema's. */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = new Set(schema.anyOf ? schema.anyOf.map((s) => s.type) : [schema.type]);
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', oddString],
    ['number', fc.oneof(fc.double(), fc.constantFrom(1e308, -1e308, 0, -0, 2 ** 53 + 1))],
    ['integer', fc.integer()],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(anyJson, { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 })],
  ];
  const others = all.filter(([t]) => !types.has(t) && !(t === 'integer' && types.has('number')));
  return fc.oneof(...others.map(([, a]) => a));
}

/** Values that break the schema in one place (most of the time: see the module's note). */
export function malformedOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [wrongType(schema)];
  if (schema.anyOf) return fc.oneof(wrongType(schema), ...schema.anyOf.map(malformedOf));
  if (schema.enum) {
    options.push(
      fc.constantFrom(
        '',
        'UNKNOWN',
        ...schema.enum.map((v) => (typeof v === 'string' ? v.toUpperCase() + '_' : 1)),
      ),
    );
    return fc.oneof(...options);
  }
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const bounds: number[] = [1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2];
      if (schema.minimum !== undefined) bounds.push(schema.minimum - 1);
      if (schema.exclusiveMinimum !== undefined) bounds.push(schema.exclusiveMinimum);
      if (schema.maximum !== undefined) bounds.push(schema.maximum + 1, schema.maximum + 0.001);
      options.push(fc.constantFrom(...bounds), fc.constantFrom('1', 'NaN', 'Infinity'));
      if (schema.type === 'integer')
        options.push(fc.double({ noInteger: true, noNaN: true, min: -1e6, max: 1e6 }));
      break;
    }
    case 'string': {
      const max = schema.maxLength;
      if (max !== undefined)
        options.push(fc.integer({ min: max + 1, max: max + 64 }).map((n) => 'x'.repeat(n)));
      options.push(fc.constant('x'.repeat(100_000)));
      if ((schema.minLength ?? 0) > 0) options.push(fc.constant(''));
      if (schema.format === 'date') options.push(invalidDate);
      else if (schema.format === 'date-time') options.push(invalidInstant);
      else if (schema.format === 'uri') {
        options.push(
          fc.constantFrom('not a url', 'http://[::1', 'javascript:alert(1)', 'ftp://x/y', 'http://a/#f'),
        );
      } else if (schema.pattern) options.push(oddString);
      break;
    }
    case 'array': {
      const item = schema.items ?? {};
      if ((schema.minItems ?? 0) > 0) options.push(fc.constant([]));
      if (schema.maxItems !== undefined) {
        const n = schema.maxItems + 1;
        options.push(validOf(item).map((v) => Array.from({ length: n }, () => v)));
      }
      options.push(fc.tuple(validOf(item), malformedOf(item)).map(([a, b]) => [a, b]));
      break;
    }
    case 'object': {
      const props = schema.properties ?? {};
      const base = validOf(schema) as fc.Arbitrary<Record<string, unknown>>;
      for (const key of schema.required ?? []) {
        options.push(
          base.map((v) => {
            const { [key]: _gone, ...rest } = v;
            return rest;
          }),
        );
      }
      if (schema.additionalProperties === false) {
        options.push(
          fc
            .tuple(base, fc.constantFrom('extra', 'user_id', '__proto__', 'Id', ''), anyJson)
            .map(([v, k, x]) => ({
              ...v,
              [k]: x,
            })),
        );
      }
      for (const [key, sub] of Object.entries(props)) {
        options.push(fc.tuple(base, malformedOf(sub)).map(([v, bad]) => ({ ...v, [key]: bad })));
      }
      break;
    }
  }
  return fc.oneof(...options);
}

/** A query string value for a parameter value: how a client would write it (arrays joined, objects as JSON). */
export function asQueryValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(asQueryValue).join(',');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** What a response body must never show: stack frames, file paths, exception or AWS error names, SQL. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat (?:async )?[\w$.<>]+ \(|\bat \/|\bat file:|\bat node:/],
  ['a file path', /\/(?:work|home|tmp|usr|var|opt)\/|node_modules|\.(?:ts|js|mjs|cjs):\d+/],
  [
    'an exception class',
    /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|URIError|EvalError|ZodError|AggregateError|Exception)\b/,
  ],
  [
    'an AWS error',
    /ValidationException|ConditionalCheckFailed|ResourceNotFound|ProvisionedThroughput|TransactionCanceled|ItemCollectionSizeLimit|SerializationException|UnrecognizedClient|AccessDenied|ThrottlingException|\$metadata|DynamoDB|aws-sdk|@smithy/,
  ],
  ['SQL', /\b(?:SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b|syntax error at or near/i],
  [
    'an internal detail',
    /Unhandled|undefined is not|Cannot read propert|is not a function|ECONNREFUSED|ENOENT/,
  ],
];

/** The first internal detail a response body shows, named; null when it shows none. */
export function leakIn(body: string): string | null {
  for (const [what, re] of LEAKS) {
    const m = re.exec(body);
    if (m) return `${what} (${JSON.stringify(body.slice(Math.max(0, m.index - 60), m.index + 80))})`;
  }
  return null;
}
