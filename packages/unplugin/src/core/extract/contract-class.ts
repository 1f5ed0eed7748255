import { type ClassDeclaration, type ClassExpression, Node, type SourceFile } from 'ts-morph';
import type { Diagnostic } from '../diagnostic.js';
import type { Binding, ModuleBindings } from './module-bindings.js';
import { diagnosticAt, locationOf, startOf, startOfMissingFile } from './source-files.js';
import { shorten } from './static-evaluator.js';

export type ContractClass = ClassDeclaration | ClassExpression;

export type ContractClassResult =
  | { readonly ok: true; readonly value: ContractClass }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

const WANTED = 'the contract is the class the module exports by default, as in export default class MyService extends HecateService { ... }';

/** The class the service module exports by default: `export default class X`, or `class X`; `export default X`. */
export function findContractClass(bindings: ModuleBindings, servicePath: string): ContractClassResult {
  const files = bindings.files;
  const file = files.at(servicePath);
  if (file === undefined)
    return {
      ok: false,
      diagnostic: diagnosticAt(
        'service-not-found',
        `the service module ${files.relativePath(servicePath)} does not exist: create it, or point the plugin's "service" option at the module that default-exports the contract class`,
        startOfMissingFile(servicePath),
      ),
    };
  const binding = bindings.resolveExport(file, 'default', file);
  if (binding.kind === 'not-exported' && binding.file === file)
    return {
      ok: false,
      diagnostic: diagnosticAt('no-default-export', `${files.relativePath(servicePath)} has no default export: ${WANTED}`, startOf(file)),
    };
  return classOf(bindings, binding, file, file);
}

/** Follows `export default X` through consts and imports to the class it names. */
function classOf(bindings: ModuleBindings, binding: Binding, file: SourceFile, reference: Node): ContractClassResult {
  const files = bindings.files;
  const notAClass = (found: string, node: Node): ContractClassResult => ({
    ok: false,
    diagnostic: diagnosticAt(
      binding.kind === 'missing-module' || binding.kind === 'not-exported' ? 'unresolved-import' : 'no-contract-class',
      `the default export of ${files.relativePath(file.getFilePath())} is ${found}, not a class: ${WANTED}`,
      locationOf(node),
    ),
  });
  switch (binding.kind) {
    case 'class':
      return { ok: true, value: binding.declaration };
    case 'value': {
      let expression: Node = binding.expression;
      while (Node.isParenthesizedExpression(expression) || Node.isAsExpression(expression) || Node.isSatisfiesExpression(expression))
        expression = expression.getExpression();
      if (Node.isClassExpression(expression)) return { ok: true, value: expression };
      if (Node.isIdentifier(expression)) return classOf(bindings, bindings.resolveLocal(binding.file, expression.getText()), file, expression);
      return notAClass(describeValue(expression), expression);
    }
    case 'json':
      return notAClass('a JSON module', reference);
    case 'namespace':
      return notAClass('a module namespace', binding.node);
    case 'unreadable':
      return notAClass(binding.what, binding.node);
    case 'package':
      return notAClass(`imported from the package '${binding.specifier}', which the build does not read`, binding.node);
    case 'missing-module':
      return notAClass(`imported from '${binding.specifier}', which names no file`, binding.node);
    case 'not-exported':
      return notAClass(`${binding.name} from ${files.relativePath(binding.file.getFilePath())}, which does not export it`, binding.node);
    case 'undeclared':
      return notAClass(`${shorten(reference.getText())}, which is declared nowhere in the module`, reference);
  }
}

function describeValue(expression: Node): string {
  if (Node.isObjectLiteralExpression(expression)) return 'an object';
  if (Node.isArrowFunction(expression) || Node.isFunctionExpression(expression)) return 'a function';
  return shorten(expression.getText());
}
