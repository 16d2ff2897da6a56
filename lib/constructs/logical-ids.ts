import { Names, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Construct, RootConstruct, type IConstruct } from 'constructs';

/**
 * The stack's constructs (Data, Messaging, Api, one CatalogueFunction per entry) group resources for readers of
 * lib/ and of cdk.out's tree, but CloudFormation replaces any resource whose logical id changes, and CDK derives
 * logical ids from construct paths. So these groupings are *transparent*: a logical id is computed as if every
 * resource still sat where it did before the grouping (directly in the stack). Deployed stacks keep their table,
 * key, user pool, queues, API URL and app client id (test/unit/lib/stack.test.ts pins them). The price: ids must be
 * unique across groupings (two `Logs` in two constructs would share a logical id, and synthesis fails with
 * "section 'Resources' already contains ...").
 */
const transparentScopes = new WeakSet<IConstruct>();

/** Leaves `scope`'s id out of the logical ids of everything below it. */
export function transparent(scope: IConstruct): void {
  transparentScopes.add(scope);
}

/** CDK's own unique-id algorithm (md5 of the path, human prefix) over path components, via its public API. */
function uniqueId(components: readonly string[]): string {
  let scope: Construct = new RootConstruct();
  for (const id of components) scope = new Construct(scope, id);
  return Names.nodeUniqueId(scope.node);
}

/** Ids of the scopes from `from` (exclusive) down to `construct` (inclusive), transparent scopes left out. */
function visiblePath(construct: IConstruct, from: IConstruct | undefined): string[] {
  const scopes = construct.node.scopes;
  const start = from ? scopes.indexOf(from) + 1 : 1;
  return scopes
    .slice(start)
    .filter((s) => !transparentScopes.has(s))
    .map((s) => s.node.id);
}

/**
 * Allocates the logical ids of one stack (FinaggStack.allocateLogicalId). A few construct ids chosen by
 * aws-cdk-lib embed another construct's unique id, which comes from its path (`SqsEventSource:<queue>`,
 * `DynamoDBEventSource:<table>`, `AllowEventRule<rule>`): those get the unique id the construct had before the
 * grouping too.
 */
export class TransparentLogicalIds {
  private readonly renames = new WeakMap<IConstruct, { now: string; before: string } | null>();

  constructor(private readonly stack: Stack) {}

  logicalId(element: CfnElement): string {
    return uniqueId(visiblePath(element, this.stack).map((id) => this.rename(id)));
  }

  private rename(id: string): string {
    for (const { now, before } of this.movedConstructs()) {
      if (id.includes(now)) return id.replace(now, before);
    }
    return id;
  }

  /**
   * The constructs directly inside a transparent scope, with their unique ids now and before the grouping.
   * Transparent scopes sit in the stack or in another transparent scope.
   */
  private *movedConstructs(scope: IConstruct = this.stack): Generator<{ now: string; before: string }> {
    for (const child of scope.node.children) {
      if (transparentScopes.has(child)) {
        yield* this.movedConstructs(child);
        continue;
      }
      if (scope === this.stack) continue;
      let ids = this.renames.get(child);
      if (ids === undefined) {
        const now = Names.nodeUniqueId(child.node);
        const before = uniqueId(visiblePath(child, undefined));
        ids = now === before ? null : { now, before };
        this.renames.set(child, ids);
      }
      if (ids) yield ids;
    }
  }
}

/**
 * The `Names.uniqueId` that a construct `id` in `scope` had before the grouping. Some resources derive their
 * physical name from it when none is given (an EventBus), and renaming them replaces them.
 */
export function uniqueIdAsBefore(scope: IConstruct, id: string): string {
  return uniqueId([...visiblePath(scope, undefined), id]);
}
