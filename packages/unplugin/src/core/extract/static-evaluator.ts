import {
  type ArrayLiteralExpression,
  type ElementAccessExpression,
  type Identifier,
  Node,
  type ObjectLiteralElementLike,
  type ObjectLiteralExpression,
  type PrefixUnaryExpression,
  type PropertyAccessExpression,
  type SourceFile,
  SyntaxKind,
} from 'ts-morph';
import { isUnder, type LocatedValue, type ValuePath } from './located-value.js';
import type { Binding, ModuleBindings } from './module-bindings.js';
import { locationOf } from './source-files.js';

/** The file an expression is read in, and the parameters that shadow its top-level names. */
export interface Scope {
  readonly file: SourceFile;
  readonly parameters: ReadonlySet<string>;
}

/** How the value at `path` relates to what was found: it `is` it, `spreads` it, or `has` it (a key). */
type Relation = 'is' | 'spreads' | 'has';

/** A part of a value the build cannot read; `found` says what it is, for the message. */
export interface EvaluationProblem {
  readonly code: 'not-static' | 'unresolved-import';
  readonly path: ValuePath;
  readonly relation: Relation;
  readonly found: string;
  readonly node: Node;
}

const NO_PARAMETERS: ReadonlySet<string> = new Set();
/** Globals whose properties are run-time values: `process.env.X` is named as it is, without more. */
const RUNTIME_ROOTS = new Set(['process', 'globalThis', 'window', 'Deno', 'Bun']);

/**
 * Evaluates the expressions a contract method returns without running anything: literals, object
 * and array literals (with static spreads), type-only wrappers, top-level consts and relative
 * imports. Every part it cannot read becomes a problem, and evaluation goes on, so that all of them
 * are reported at once.
 */
export class StaticEvaluator {
  readonly problems: EvaluationProblem[] = [];
  readonly #following = new Set<Node>();

  constructor(readonly bindings: ModuleBindings) {}

  evaluate(expression: Node, path: ValuePath, scope: Scope, relation: Relation = 'is'): LocatedValue {
    const node = expression;
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isNumericLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node)) return primitive(node.getLiteralValue(), node);
    if (Node.isNullLiteral(node)) return primitive(null, node);
    if (Node.isPrefixUnaryExpression(node)) return this.#signed(node, path, scope, relation);
    if (
      Node.isParenthesizedExpression(node) ||
      Node.isAsExpression(node) ||
      Node.isSatisfiesExpression(node) ||
      Node.isTypeAssertion(node) ||
      Node.isNonNullExpression(node)
    )
      return this.evaluate(node.getExpression(), path, scope, relation);
    if (Node.isObjectLiteralExpression(node)) return this.#object(node, path, scope);
    if (Node.isArrayLiteralExpression(node)) return this.#array(node, path, scope);
    if (Node.isIdentifier(node)) return this.#identifier(node, path, scope, relation);
    if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return this.#property(node, path, scope, relation);
    return this.#fail('not-static', node, path, relation, describeUnreadable(node));
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
      if (Node.isSpreadElement(element)) {
        const spread = element.getExpression();
        const value = this.evaluate(spread, path, scope, 'spreads');
        if (value.kind === 'array') items.push(...value.items);
        else if (value.kind !== 'unknown') this.#fail('not-static', spread, path, 'spreads', `${shorten(spread.getText())}, which is not an array`);
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
        this.#following.add(binding.expression);
        try {
          return this.evaluate(binding.expression, path, { file: binding.file, parameters: NO_PARAMETERS }, relation);
        } finally {
          this.#following.delete(binding.expression);
        }
      }
      case 'json': {
        const [statement] = binding.file.getStatements();
        if (statement === undefined || !Node.isExpressionStatement(statement))
          return this.#fail('not-static', reference, path, relation, `${name}, an empty JSON module`);
        return this.evaluate(statement.getExpression(), path, { file: binding.file, parameters: NO_PARAMETERS }, relation);
      }
      case 'namespace':
        return this.#fail('not-static', reference, path, relation, `${name}, a module namespace`);
      case 'class':
        return this.#fail('not-static', reference, path, relation, `${name}, a class`);
      case 'unreadable':
        return this.#fail('not-static', reference, path, relation, `${name}, ${binding.what}`);
      case 'package':
        return this.#fail('not-static', reference, path, relation, `${name}, imported from the package '${binding.specifier}'`);
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

  #property(node: PropertyAccessExpression | ElementAccessExpression, path: ValuePath, scope: Scope, relation: Relation): LocatedValue {
    const text = shorten(node.getText());
    const key = propertyKeyOf(node);
    if (key === undefined) return this.#fail('not-static', node, path, relation, `${text}, an element access with a computed key`);
    const object = node.getExpression();
    if (Node.isIdentifier(object) && !scope.parameters.has(object.getText())) {
      const binding = this.bindings.resolveLocal(scope.file, object.getText());
      if (binding.kind === 'namespace')
        return this.#binding(this.bindings.resolveExport(binding.file, String(key), node), text, node, path, scope, relation);
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
    const unresolved = objectProblems.filter((problem) => problem.code === 'unresolved-import');
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
  if (Node.isTemplateExpression(node)) return `the template ${text}, which has substitutions`;
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
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_SHOWN ? oneLine : `${oneLine.slice(0, MAX_SHOWN - 1)}…`;
}
