import {
  type ArrayLiteralExpression,
  type ElementAccessExpression,
  type EnumDeclaration,
  type Expression,
  type Identifier,
  Node,
  type NumericLiteral,
  type ObjectLiteralElementLike,
  type ObjectLiteralExpression,
  type PrefixUnaryExpression,
  type PropertyAccessExpression,
  type SourceFile,
  SyntaxKind,
  type TemplateExpression,
} from 'ts-morph';
import { LIMITS } from './limits.js';
import { isUnder, type LocatedValue, type ValuePath } from './located-value.js';
import type { Binding, ModuleBindings } from './module-bindings.js';
import { locationOf, type SourceLocation } from './source-files.js';

/** The file an expression is read in, and the parameters that shadow its top-level names. */
export interface Scope {
  readonly file: SourceFile;
  readonly parameters: ReadonlySet<string>;
}

/** How the value at `path` relates to what was found: it `is` it, `spreads` it, or `has` it (a key). */
type Relation = 'is' | 'spreads' | 'has';

/** A part of a value the build cannot read; `found` says what it is, for the message. */
export interface EvaluationProblem {
  readonly code: 'not-static' | 'unresolved-import' | 'unreadable-source' | 'over-limit';
  readonly path: ValuePath;
  readonly relation: Relation;
  readonly found: string;
  readonly node: Node;
  /** Where the cause is, when not at `node` (the first byte of an imported file that is not UTF-8). */
  readonly location?: SourceLocation;
  /** What to do instead, when the code's usual remedy does not fit. */
  readonly remedy?: string;
}

/** A binding's value, read once, with its problems at paths relative to where it was used. */
interface Evaluated {
  readonly value: LocatedValue;
  readonly problems: readonly EvaluationProblem[];
}

const NO_PARAMETERS: ReadonlySet<string> = new Set();
const THIRD_PARTY_REMEDY =
  "the build reads the service's own sources (relative imports, and imports its tsconfig paths or baseUrl map to them), not third-party packages: a package's values are not the service's contract and change with its version, so define the value in the service";
/** Globals whose properties are run-time values: `process.env.X` is named as it is, without more. */
const RUNTIME_ROOTS = new Set(['process', 'globalThis', 'window', 'Deno', 'Bun']);

/**
 * Evaluates the expressions a contract method returns without running anything: literals, object
 * and array literals (with static spreads), templates of static values, type-only wrappers,
 * top-level consts, enum members and imports of the service's own modules. Every part it cannot
 * read becomes a problem, and evaluation goes on, so that all of them are reported at once.
 *
 * Bounded on any input: each binding is evaluated once (a const used twice is not read twice),
 * nesting stops at `LIMITS.depth`, and no value may hold more than `LIMITS.values` parts written
 * out, nor may the reading create more (see limits.ts).
 */
export class StaticEvaluator {
  readonly problems: EvaluationProblem[] = [];
  readonly #following = new Set<Node>();
  readonly #evaluated = new Map<Node, Evaluated>();
  /** How many parts each array and object holds when written out in full, and how deeply they nest. */
  readonly #sizes = new WeakMap<LocatedValue, { readonly parts: number; readonly depth: number }>();
  #depth = 0;
  /** Parts created so far, spread copies included. */
  #created = 0;
  /**
   * The limit of the reader that was reached, if one was: it is reported once (kept apart from
   * `problems`, which callers filter), and the reading stops there (what is left is unknown), so a
   * huge contract costs no more than the limit.
   */
  limitReached: EvaluationProblem | undefined;

  constructor(readonly bindings: ModuleBindings) {}

  evaluate(expression: Node, path: ValuePath, scope: Scope, relation: Relation = 'is'): LocatedValue {
    if (this.limitReached !== undefined) return { kind: 'unknown' };
    if (this.#depth >= LIMITS.depth)
      return this.#exhaust(expression, path, relation, `nested more than ${LIMITS.depth} levels deep (literals, consts and imports each count one), past the reader's limit`);
    if (this.#created >= LIMITS.values) return this.#exhaust(expression, path, relation, `one part more than the ${LIMITS.values} the reader reads in a contract`);
    this.#depth += 1;
    this.#created += 1;
    try {
      return this.#evaluate(expression, path, scope, relation);
    } finally {
      this.#depth -= 1;
    }
  }

  #evaluate(node: Node, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isNumericLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isNullLiteral(node)) return primitive(null, node);
    if (Node.isTemplateExpression(node)) return this.#template(node, path, scope, relation);
    if (Node.isPrefixUnaryExpression(node)) return this.#signed(node, path, scope, relation);
    if (
      Node.isParenthesizedExpression(node) ||
      Node.isAsExpression(node) ||
      Node.isSatisfiesExpression(node) ||
      Node.isTypeAssertion(node) ||
      Node.isNonNullExpression(node)
    )
      return this.evaluate(node.getExpression(), path, scope, relation);
    if (Node.isObjectLiteralExpression(node)) return this.#bounded(this.#object(node, path, scope), node, path, relation);
    if (Node.isArrayLiteralExpression(node)) return this.#bounded(this.#array(node, path, scope), node, path, relation);
    if (Node.isIdentifier(node)) return this.#identifier(node, path, scope, relation);
    if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return this.#property(node, path, scope, relation);
    return this.#fail('not-static', node, path, relation, describeUnreadable(node));
  }

  /**
   * An array or object, unless written out it would hold more than `LIMITS.values` parts or nest
   * deeper than `LIMITS.depth` (a const read once can be used in many places, each adding its size).
   */
  #bounded(value: LocatedValue, node: Node, path: ValuePath, relation: Relation): LocatedValue {
    const children = value.kind === 'array' ? value.items : value.kind === 'object' ? [...value.entries.values()] : [];
    let parts = 1;
    let depth = 0;
    for (const child of children) {
      const size = this.#sizes.get(child);
      parts += size?.parts ?? 1;
      depth = Math.max(depth, size?.depth ?? 0);
    }
    if (this.limitReached !== undefined) return { kind: 'unknown' };
    if (parts > LIMITS.values)
      return this.#exhaust(node, path, relation, `a value of more than ${LIMITS.values} parts when written out (a const counts each time it is used), past the reader's limit`);
    if (depth + 1 > LIMITS.depth) return this.#exhaust(node, path, relation, `a value nested more than ${LIMITS.depth} levels deep, past the reader's limit`);
    this.#sizes.set(value, { parts, depth: depth + 1 });
    return value;
  }

  /** `${PREFIX}.query`: a template whose substitutions are strings, numbers, booleans or null, joined as JavaScript joins them. */
  #template(node: TemplateExpression, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    let text = node.getHead().compilerNode.text;
    let readable = true;
    for (const span of node.getTemplateSpans()) {
      const substitution = span.getExpression();
      const { value, problems } = this.#quietly(() => this.evaluate(substitution, path, scope));
      if (problems.length === 0 && value.kind === 'primitive') text += `${String(value.value)}${span.getLiteral().compilerNode.text}`;
      else {
        readable = false;
        if (problems.length > 0) this.problems.push(...problems);
        else this.#fail('not-static', substitution, path, relation, `the template ${shorten(node.getText())}, whose substitution ${shorten(substitution.getText())} is not a string, number, boolean or null`);
      }
    }
    return readable ? primitive(text, node) : { kind: 'unknown' };
  }

  #signed(node: PrefixUnaryExpression, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    const operator = node.getOperatorToken();
    if (operator === SyntaxKind.MinusToken || operator === SyntaxKind.PlusToken) {
      const operand = this.#quietly(() => this.evaluate(node.getOperand(), path, scope));
      if (operand.problems.length === 0 && operand.value.kind === 'primitive' && typeof operand.value.value === 'number')
        return primitive(operator === SyntaxKind.MinusToken ? -operand.value.value : operand.value.value, node);
    }
    return this.#fail('not-static', node, path, relation, `${shorten(node.getText())}, an operation`);
  }

  #object(node: ObjectLiteralExpression, path: ValuePath, scope: Scope): LocatedValue {
    const entries = new Map<string, LocatedValue>();
    const start = this.problems.length;
    for (const property of node.getProperties()) {
      if (this.limitReached !== undefined) break;
      const before = this.problems.length;
      for (const [key, value] of this.#propertyEntries(property, path, scope)) {
        // A key set again replaces its earlier value, and with it that value's problems:
        // `{ ...INFO, version: pkg.version }` is static even when INFO.version is not.
        if (entries.has(key)) this.#dropProblems([...path, key], start, before);
        entries.set(key, value);
      }
    }
    return { kind: 'object', entries, location: locationOf(node) };
  }

  /** Drops the problems under `path` recorded at indexes [from, to). */
  #dropProblems(path: ValuePath, from: number, to: number): void {
    const kept = this.problems.slice(from, to).filter((problem) => !isUnder(problem.path, path));
    this.problems.splice(from, to - from, ...kept);
  }

  /** The entries one property of an object literal sets: one, or all of a spread object's. */
  #propertyEntries(property: ObjectLiteralElementLike, path: ValuePath, scope: Scope): Iterable<[string, LocatedValue]> {
    if (Node.isPropertyAssignment(property)) {
      const nameNode = property.getNameNode();
      if (Node.isComputedPropertyName(nameNode)) {
        this.#fail('not-static', nameNode, path, 'has', `the computed key ${shorten(nameNode.getText())}`);
        return [];
      }
      const key = Node.isStringLiteral(nameNode) || Node.isNumericLiteral(nameNode) ? String(nameNode.getLiteralValue()) : nameNode.getText();
      return [[key, this.evaluate(property.getInitializerOrThrow(), [...path, key], scope)]];
    }
    if (Node.isShorthandPropertyAssignment(property)) {
      const key = property.getName();
      return [[key, this.#identifier(property.getNameNode(), [...path, key], scope, 'is')]];
    }
    if (Node.isSpreadAssignment(property)) {
      const spread = property.getExpression();
      const value = this.evaluate(spread, path, scope, 'spreads');
      if (value.kind === 'object') return value.entries;
      if (value.kind !== 'unknown') this.#fail('not-static', spread, path, 'spreads', `${shorten(spread.getText())}, which is not an object`);
      return [];
    }
    const key = property.getName();
    const what = Node.isGetAccessorDeclaration(property) ? 'a getter' : Node.isSetAccessorDeclaration(property) ? 'a setter' : 'a method';
    return [[key, this.#fail('not-static', property, [...path, key], 'is', what)]];
  }

  #array(node: ArrayLiteralExpression, path: ValuePath, scope: Scope): LocatedValue {
    const items: LocatedValue[] = [];
    for (const element of node.getElements()) {
      if (this.limitReached !== undefined) break;
      if (Node.isSpreadElement(element)) {
        const spread = element.getExpression();
        const value = this.evaluate(spread, path, scope, 'spreads');
        if (value.kind === 'array') {
          // Copied one by one, not pushed as arguments: a long array would overflow the stack.
          for (const item of value.items) {
            if (this.limitReached !== undefined) return { kind: 'unknown' };
            if (this.#created >= LIMITS.values)
              return this.#exhaust(spread, path, 'spreads', `${shorten(spread.getText())}, one part more than the ${LIMITS.values} the reader reads in a contract`);
            this.#created += 1;
            items.push(item);
          }
        } else if (value.kind !== 'unknown') this.#fail('not-static', spread, path, 'spreads', `${shorten(spread.getText())}, which is not an array`);
      } else if (Node.isOmittedExpression(element)) {
        items.push(this.#fail('not-static', node, [...path, items.length], 'is', 'an empty slot'));
      } else {
        items.push(this.evaluate(element, [...path, items.length], scope));
      }
    }
    return { kind: 'array', items, location: locationOf(node) };
  }

  #identifier(node: Identifier, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    const name = node.getText();
    if (name === 'undefined') return this.#fail('not-static', node, path, relation, 'undefined, which has no JSON value');
    if (scope.parameters.has(name)) return this.#fail('not-static', node, path, relation, `${name}, a parameter`);
    return this.#binding(this.bindings.resolveLocal(scope.file, name), name, node, path, scope, relation);
  }

  #binding(binding: Binding, name: string, reference: Node, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    const files = this.bindings.files;
    switch (binding.kind) {
      case 'value': {
        if (this.#following.has(binding.expression))
          return this.#fail('not-static', reference, path, relation, `${name}, a const defined in terms of itself`);
        return this.#once(binding.expression, binding.file, path, relation);
      }
      case 'json': {
        const [statement] = binding.file.getStatements();
        if (statement === undefined || !Node.isExpressionStatement(statement))
          return this.#fail('not-static', reference, path, relation, `${name}, an empty JSON module`);
        return this.#once(statement.getExpression(), binding.file, path, relation);
      }
      case 'enum':
        return this.#fail('not-static', reference, path, relation, `${name}, an enum (use one of its members, such as ${name}.${binding.declaration.getMembers()[0]?.getName() ?? 'Member'})`);
      case 'refused':
        this.problems.push({
          code: binding.code,
          node: binding.node,
          path,
          relation,
          found: `${name}, ${binding.what}`,
          ...(binding.location === undefined ? {} : { location: binding.location }),
          ...(binding.remedy === undefined ? {} : { remedy: binding.remedy }),
        });
        return { kind: 'unknown' };
      case 'namespace':
        return this.#fail('not-static', reference, path, relation, `${name}, a module namespace`);
      case 'class':
        return this.#fail('not-static', reference, path, relation, `${name}, a class`);
      case 'unreadable':
        return this.#fail('not-static', reference, path, relation, `${name}, ${binding.what}`);
      case 'package':
        this.problems.push({
          code: 'not-static',
          node: reference,
          path,
          relation,
          found: `${name}, imported from the package '${binding.specifier}'`,
          remedy: THIRD_PARTY_REMEDY,
        });
        return { kind: 'unknown' };
      case 'missing-module':
        return this.#fail('unresolved-import', reference, path, relation, `${name}, imported from '${binding.specifier}', which names no file`);
      case 'not-exported':
        return this.#fail(
          'unresolved-import',
          reference,
          path,
          relation,
          `${name}, but ${files.relativePath(binding.file.getFilePath())} does not export ${binding.name}`,
        );
      case 'undeclared':
        return this.#fail(
          'not-static',
          reference,
          path,
          relation,
          `${name}, which is neither a top-level const nor an import of ${files.relativePath(scope.file.getFilePath())}`,
        );
    }
  }

  /**
   * A top-level binding's value, evaluated the first time it is used and remembered: its problems
   * are kept relative to the use, and repeated (once each) at every later use, whose path they name.
   */
  #once(expression: Expression, file: SourceFile, path: ValuePath, relation: Relation): LocatedValue {
    let evaluated = this.#evaluated.get(expression);
    if (evaluated === undefined) {
      this.#following.add(expression);
      const start = this.problems.length;
      let value: LocatedValue;
      try {
        value = this.evaluate(expression, path, { file, parameters: NO_PARAMETERS }, relation);
      } finally {
        this.#following.delete(expression);
      }
      const problems = this.problems.slice(start).map((problem) => ({
        ...problem,
        path: problem.path.slice(path.length),
        relation: problem.path.length === path.length ? 'is' : problem.relation,
      }));
      this.#evaluated.set(expression, { value, problems });
      return value;
    }
    for (const problem of evaluated.problems) {
      if (this.problems.length >= LIMITS.values) break; // the rest repeat problems already reported
      this.problems.push({ ...problem, path: [...path, ...problem.path], relation: problem.path.length === 0 ? relation : problem.relation });
    }
    return evaluated.value;
  }

  /** `Caps.Query`: a member of a string or numeric enum, as TypeScript compiles it. */
  #enumMember(declaration: EnumDeclaration, key: string | number, node: Node, path: ValuePath, relation: Relation): LocatedValue {
    const text = shorten(node.getText());
    if (typeof key === 'number') return this.#fail('not-static', node, path, relation, `${text}, a reverse lookup of an enum`);
    let next: number | undefined = 0;
    for (const member of declaration.getMembers()) {
      const initializer = member.getInitializer();
      let value: string | number | undefined;
      if (initializer === undefined) value = next;
      else if (Node.isStringLiteral(initializer) || Node.isNoSubstitutionTemplateLiteral(initializer)) value = initializer.getLiteralValue();
      else if (Node.isNumericLiteral(initializer)) value = initializer.getLiteralValue();
      else if (Node.isPrefixUnaryExpression(initializer) && Node.isNumericLiteral(initializer.getOperand())) {
        const operand = (initializer.getOperand() as NumericLiteral).getLiteralValue();
        const operator = initializer.getOperatorToken();
        value = operator === SyntaxKind.MinusToken ? -operand : operator === SyntaxKind.PlusToken ? operand : undefined;
      }
      next = typeof value === 'number' ? value + 1 : undefined;
      if (member.getName() !== key) continue;
      if (value === undefined)
        return this.#fail('not-static', node, path, relation, `${text}, an enum member whose value is computed (give it a string or number literal)`);
      return primitive(value, node);
    }
    return this.#fail('not-static', node, path, relation, `${text}, but the enum ${declaration.getName()} has no member ${key}`);
  }

  #property(node: PropertyAccessExpression | ElementAccessExpression, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    const text = shorten(node.getText());
    const key = propertyKeyOf(node);
    if (key === undefined) return this.#fail('not-static', node, path, relation, `${text}, an element access with a computed key`);
    const object = node.getExpression();
    if (Node.isIdentifier(object) && !scope.parameters.has(object.getText())) {
      const binding = this.bindings.resolveLocal(scope.file, object.getText());
      if (binding.kind === 'namespace')
        return this.#binding(this.bindings.resolveExport(binding.file, String(key), node), text, node, path, scope, relation);
      if (binding.kind === 'enum') return this.#enumMember(binding.declaration, key, node, path, relation);
    }
    const { value, problems } = this.#quietly(() => this.evaluate(object, path, scope));
    const entry = entryOf(value, key);
    // Only the problems of the property read matter: `CONFIG.name` is fine when CONFIG.version is a call.
    const objectProblems = problems.filter((problem) => problem.path.length <= path.length);
    if (objectProblems.length === 0) {
      if (entry === undefined)
        return this.#fail('not-static', node, path, relation, `${text}, but ${shorten(object.getText())} has no property ${String(key)}`);
      const entryPath = [...path, key];
      for (const problem of problems)
        if (isUnder(problem.path, entryPath)) this.problems.push({ ...problem, path: [...path, ...problem.path.slice(entryPath.length)] });
      return entry;
    }
    const unresolved = objectProblems.filter((problem) => problem.code !== 'not-static');
    if (unresolved.length > 0) this.problems.push(...unresolved);
    else if (isRuntimeRoot(object)) this.#fail('not-static', node, path, relation, text);
    else this.#fail('not-static', node, path, relation, `${text}, a property of ${objectProblems[0]?.found}`);
    return { kind: 'unknown' };
  }

  /** Evaluates without reporting, so a caller can report one problem for a whole expression. */
  #quietly(evaluate: () => LocatedValue): { value: LocatedValue; problems: EvaluationProblem[] } {
    const start = this.problems.length;
    const value = evaluate();
    return { value, problems: this.problems.splice(start) };
  }

  #exhaust(node: Node, path: ValuePath, relation: Relation, found: string): LocatedValue {
    this.limitReached = { code: 'over-limit', node, path, relation, found };
    return { kind: 'unknown' };
  }

  #fail(code: EvaluationProblem['code'], node: Node, path: ValuePath, relation: Relation, found: string): LocatedValue {
    this.problems.push({ code, node, path, relation, found });
    return { kind: 'unknown' };
  }
}

function primitive(value: string | number | boolean | null, node: Node): LocatedValue {
  return { kind: 'primitive', value, location: locationOf(node) };
}

function entryOf(value: LocatedValue, key: string | number): LocatedValue | undefined {
  if (value.kind === 'object' && typeof key === 'string') return value.entries.get(key);
  if (value.kind === 'array' && typeof key === 'number') return value.items[key];
  if (value.kind === 'array' && key === 'length') return { kind: 'primitive', value: value.items.length, location: value.location };
  return undefined;
}

function propertyKeyOf(node: PropertyAccessExpression | ElementAccessExpression): string | number | undefined {
  if (Node.isPropertyAccessExpression(node)) return node.getName();
  const argument = node.getArgumentExpression();
  if (Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument)) return argument.getLiteralValue();
  if (Node.isNumericLiteral(argument)) return argument.getLiteralValue();
  return undefined;
}

/** `process.env.X`, `import.meta.env.X`: values that exist only when the code runs. */
function isRuntimeRoot(object: Node): boolean {
  let root = object;
  while (Node.isPropertyAccessExpression(root) || Node.isElementAccessExpression(root)) root = root.getExpression();
  return Node.isMetaProperty(root) || (Node.isIdentifier(root) && RUNTIME_ROOTS.has(root.getText()));
}

function describeUnreadable(node: Node): string {
  const text = shorten(node.getText());
  if (Node.isCallExpression(node)) return `the call ${text}`;
  if (Node.isNewExpression(node)) return `${text}, a new object`;
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return 'a function';
  if (Node.isClassExpression(node)) return 'a class';
  if (Node.isThisExpression(node)) return 'this';
  if (Node.isAwaitExpression(node)) return `${text}, an await`;
  if (Node.isConditionalExpression(node)) return `${text}, a conditional`;
  if (Node.isBinaryExpression(node)) return `${text}, an operation`;
  return `${text}, an expression the build does not evaluate`;
}

const MAX_SHOWN = 60;

/** Source text for a message: on one line, and cut when long. */
export function shorten(text: string): string {
  const oneLine = text.slice(0, MAX_SHOWN * 4).replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_SHOWN ? oneLine : `${oneLine.slice(0, MAX_SHOWN - 1)}…`;
}
