import { type ClassDeclaration, type ClassExpression, Node, type SourceFile } from 'ts-morph';
import type { Diagnostic } from '../diagnostic.js';
import type { Binding, ModuleBindings } from './module-bindings.js';
import { LIMITS } from './limits.js';
import { diagnosticAt, locationOf, type SourceLocation, startOf, startOfMissingFile } from './source-files.js';
import { shorten } from './static-evaluator.js';

export type ContractClass = ClassDeclaration | ClassExpression;

export type ContractClassResult =
  | { readonly ok: true; readonly value: ContractClass }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

const WANTED = 'the contract is the class the module exports by default, as in export default class MyService extends HecateService { ... }';

/** The class the service module exports by default: `export default class X`, or `class X`; `export default X`. */
export function findContractClass(bindings: ModuleBindings, servicePath: string): ContractClassResult {
  const files = bindings.files;
  const reading = files.read(servicePath);
  const shown = files.relativePath(servicePath);
  const failure = (code: Diagnostic['code'], message: string, location: SourceLocation, hint?: string): ContractClassResult => ({
    ok: false,
    diagnostic: diagnosticAt(code, message, location, hint),
  });
  const pointAtIt = `point the plugin's "service" option at the module that default-exports the contract class`;
  if (!reading.ok)
    switch (reading.kind) {
      case 'missing':
        return failure('service-not-found', `the service module ${shown} does not exist`, startOfMissingFile(servicePath), `create it, or ${pointAtIt}`);
      case 'not-a-file':
        return failure('service-not-found', `the service module ${shown} is ${reading.what}, not a file`, startOfMissingFile(servicePath), pointAtIt);
      case 'too-large':
        return failure(
          'over-limit',
          `the service module ${shown} holds ${reading.size} bytes, more than the ${LIMITS.sourceBytes} the reader parses`,
          startOfMissingFile(servicePath),
          'keep the contract class in a smaller module',
        );
      case 'not-utf8':
        return failure(
          'unreadable-source',
          `the service module ${shown} is not UTF-8 (byte 0x${reading.byte.toString(16).toUpperCase().padStart(2, '0')} at ${files.describe(reading.location)})`,
          reading.location,
          'bundlers read sources as UTF-8, so save it as UTF-8',
        );
      case 'too-deep':
        return failure('over-limit', `the service module ${shown} nests brackets more than ${LIMITS.depth} levels deep, past the reader's limit`, reading.location);
      case 'too-many-files':
        throw new Error('hecate-om: the service module is the first file read, so it cannot be past the file limit');
    }
  const file = reading.file;
  const exportEquals = file.getStatements().find((statement) => Node.isExportAssignment(statement) && statement.isExportEquals());
  if (exportEquals !== undefined)
    return failure('no-default-export', `${shown} uses export =, which is CommonJS's module.exports, not a default export`, locationOf(exportEquals), WANTED);
  const binding = bindings.resolveExport(file, 'default', file);
  if (binding.kind === 'not-exported' && binding.file === file)
    return {
      ok: false,
      diagnostic: diagnosticAt('no-default-export', `${files.relativePath(servicePath)} has no default export`, startOf(file), WANTED),
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
      `the default export of ${files.relativePath(file.getFilePath())} is ${found}, not a class`,
      locationOf(node),
      WANTED,
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
    case 'enum':
      return notAClass('an enum', binding.declaration);
    case 'refused':
      return {
        ok: false,
        diagnostic: diagnosticAt(
          binding.code,
          `the default export of ${files.relativePath(file.getFilePath())} is ${binding.what}`,
          binding.location ?? locationOf(binding.node),
          binding.remedy,
        ),
      };
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
