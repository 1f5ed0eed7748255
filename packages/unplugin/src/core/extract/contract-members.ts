import { type ArrowFunction, type ClassElement, type FunctionExpression, type MethodDeclaration, Node, SyntaxKind } from 'ts-morph';
import { CONTRACT_MEMBER_NAMES, type ContractMember } from '@hecate-om/contract/rules';
import type { Diagnostic } from '../diagnostic.js';
import type { ContractClass } from './contract-class.js';
import type { ModuleBindings } from './module-bindings.js';
import { diagnosticAt, locationOf } from './source-files.js';
import { shorten } from './static-evaluator.js';

export type { ContractMember } from '@hecate-om/contract/rules';

/** A member that is a function: a method, or a property holding an arrow function or function expression. */
export interface MemberFunction {
  readonly name: ContractMember;
  readonly className: string;
  readonly function: MethodDeclaration | ArrowFunction | FunctionExpression;
  readonly nameNode: Node;
}

export interface ContractMembers {
  readonly members: ReadonlyMap<ContractMember, MemberFunction>;
  readonly diagnostics: readonly Diagnostic[];
}

const PACKAGE_OF_BASE = '@hecate-om/contract';
const ALL_MEMBERS = `${CONTRACT_MEMBER_NAMES.slice(0, -1).map((name) => `${name}()`).join(', ')} and ${CONTRACT_MEMBER_NAMES.at(-1)}()`;

/**
 * Finds each member in the class or, failing that, in its local base classes (same file or a relative
 * import). HecateService's own members are abstract declarations, so they never count.
 */
export function findContractMembers(bindings: ModuleBindings, contract: ContractClass): ContractMembers {
  const { chain, unreadableBase } = classChainOf(bindings, contract);
  const members = new Map<ContractMember, MemberFunction>();
  const diagnostics: Diagnostic[] = [];
  const className = classNameOf(contract);
  for (const name of CONTRACT_MEMBER_NAMES) {
    const found = implementationIn(chain, name);
    if (found === undefined) {
      const why = unreadableBase === undefined ? '' : ` (${unreadableBase})`;
      diagnostics.push(
        diagnosticAt(
          'missing-member',
          `${className} does not implement ${name}()${why}`,
          locationOf(contract.getNameNode() ?? contract.getFirstChildByKindOrThrow(SyntaxKind.ClassKeyword)),
          `a hecate service implements ${ALL_MEMBERS}`,
        ),
      );
      continue;
    }
    const member = memberFunctionOf(found.element, name, classNameOf(found.cls));
    if ('function' in member) members.set(name, member);
    else diagnostics.push(member);
  }
  return { members, diagnostics };
}

function classNameOf(cls: ContractClass): string {
  return cls.getName() ?? 'the default-exported class';
}

/** The class and its bases the build can read, nearest first, and why the chain stops early, if it does. */
function classChainOf(bindings: ModuleBindings, contract: ContractClass): { chain: ContractClass[]; unreadableBase?: string } {
  const chain: ContractClass[] = [];
  let current: ContractClass | undefined = contract;
  while (current !== undefined && !chain.includes(current)) {
    chain.push(current);
    const base = current.getExtends()?.getExpression();
    if (base === undefined) return { chain };
    if (!Node.isIdentifier(base)) return { chain, unreadableBase: `its base ${shorten(base.getText())} is not a class the build can read` };
    const binding = bindings.resolveLocal(current.getSourceFile(), base.getText());
    if (binding.kind === 'package' && binding.specifier === PACKAGE_OF_BASE) return { chain };
    current = baseClassOf(binding);
    if (current === undefined)
      return {
        chain,
        unreadableBase:
          binding.kind === 'package'
            ? `its base ${base.getText()} comes from the package '${binding.specifier}', which the build does not read`
            : `its base ${base.getText()} is not a class the build can read`,
      };
  }
  return { chain };
}

function baseClassOf(binding: ReturnType<ModuleBindings['resolveLocal']>): ContractClass | undefined {
  if (binding.kind === 'class') return binding.declaration;
  if (binding.kind === 'value' && Node.isClassExpression(binding.expression)) return binding.expression;
  return undefined;
}

/**
 * The element that `instance.name` is at run time, as JavaScript decides it: an instance field
 * (set by the constructor) shadows any method, and the most derived class's field is set last;
 * else the prototype chain gives the most derived class's method or accessor; within one class the
 * last declaration replaces the earlier ones. Abstract and `declare` members, and overload
 * signatures, emit nothing. A static member is returned only when nothing else has the name, to be
 * reported as static.
 */
function implementationIn(chain: readonly ContractClass[], name: ContractMember): { cls: ContractClass; element: ClassElement } | undefined {
  const named = chain.map((cls) => ({ cls, elements: cls.getMembers().filter((element) => emitsMember(element, name)) }));
  const last = (kind: (element: ClassElement) => boolean): { cls: ContractClass; element: ClassElement } | undefined => {
    for (const { cls, elements } of named) {
      const element = elements.filter(kind).at(-1);
      if (element !== undefined) return { cls, element };
    }
    return undefined;
  };
  return (
    last((element) => Node.isPropertyDeclaration(element) && !element.isStatic()) ??
    last((element) => !Node.isPropertyDeclaration(element) && !isStatic(element)) ??
    last(isStatic)
  );
}

function emitsMember(element: ClassElement, name: ContractMember): boolean {
  if (!('getName' in element) || (element as { getName(): string }).getName() !== name) return false;
  if (Node.isMethodDeclaration(element)) return element.hasBody();
  if (Node.isPropertyDeclaration(element)) return !element.isAbstract() && !element.hasDeclareKeyword();
  if (Node.isGetAccessorDeclaration(element) || Node.isSetAccessorDeclaration(element)) return !element.isAbstract();
  return true;
}

function isStatic(element: ClassElement): boolean {
  return (Node.isMethodDeclaration(element) || Node.isPropertyDeclaration(element) || Node.isGetAccessorDeclaration(element) || Node.isSetAccessorDeclaration(element)) && element.isStatic();
}

function memberFunctionOf(element: ClassElement, name: ContractMember, className: string): MemberFunction | Diagnostic {
  const nameNode = 'getNameNode' in element ? (element as { getNameNode(): Node }).getNameNode() : element;
  const notAMethod = (what: string, remedy: string): Diagnostic =>
    diagnosticAt('not-a-method', `${className}.${name} is ${what}, not a method`, locationOf(nameNode), `hecate-om calls ${name}(), so ${remedy}`);
  if ((Node.isMethodDeclaration(element) || Node.isPropertyDeclaration(element)) && element.isStatic())
    return notAMethod('static', `make it an instance method (remove static)`);
  if (Node.isMethodDeclaration(element)) return { name, className, function: element, nameNode };
  if (Node.isGetAccessorDeclaration(element) || Node.isSetAccessorDeclaration(element))
    return notAMethod(Node.isGetAccessorDeclaration(element) ? 'a getter' : 'a setter', `declare it as ${name}() { ... }`);
  if (Node.isPropertyDeclaration(element)) {
    const initializer = element.getInitializer();
    if (initializer === undefined) return notAMethod('a property without a value', `declare it as ${name}() { ... }`);
    if (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer)) return { name, className, function: initializer, nameNode };
    return notAMethod(`a property holding ${shorten(initializer.getText())}`, `declare it as ${name}() { ... } or assign it an arrow function`);
  }
  return notAMethod('an unsupported kind of member', `declare it as ${name}() { ... }`);
}
