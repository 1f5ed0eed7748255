import { statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import {
  type ClassDeclaration,
  type Expression,
  type ImportDeclaration,
  Node,
  type SourceFile,
  SyntaxKind,
  type VariableDeclaration,
} from 'ts-morph';
import type { SourceFiles } from './source-files.js';

/**
 * What a name stands for, found by reading declarations and imports (no type checker: it would need
 * the whole program). `node` is where the name is declared or imported, for locating problems.
 */
export type Binding =
  /** A top-level const's initializer or an `export default <expression>`. */
  | { readonly kind: 'value'; readonly expression: Expression; readonly file: SourceFile }
  /** The default import of a JSON module: its whole value. */
  | { readonly kind: 'json'; readonly file: SourceFile }
  | { readonly kind: 'namespace'; readonly file: SourceFile; readonly node: Node }
  | { readonly kind: 'class'; readonly declaration: ClassDeclaration }
  /** A declaration whose value the build cannot read: a let, a function, an enum, a destructured const. */
  | { readonly kind: 'unreadable'; readonly what: string; readonly node: Node }
  | { readonly kind: 'package'; readonly specifier: string; readonly node: Node }
  | { readonly kind: 'missing-module'; readonly specifier: string; readonly node: Node }
  | { readonly kind: 'not-exported'; readonly name: string; readonly file: SourceFile; readonly node: Node }
  | { readonly kind: 'undeclared' };

/** Resolves names to their declarations across the relative modules of a service. */
export class ModuleBindings {
  /** Exports being resolved: modules that re-export each other in a circle end as not-exported. */
  readonly #resolving = new Set<string>();

  constructor(readonly files: SourceFiles) {}

  /** What `name` means at the top level of `file`. */
  resolveLocal(file: SourceFile, name: string): Binding {
    for (const statement of file.getStatements()) {
      if (Node.isVariableStatement(statement)) {
        for (const declaration of statement.getDeclarations()) {
          const binding = variableBinding(declaration, name, file);
          if (binding !== undefined) return binding;
        }
      } else if (Node.isClassDeclaration(statement) && statement.getName() === name) {
        return { kind: 'class', declaration: statement };
      } else if (Node.isFunctionDeclaration(statement) && statement.getName() === name) {
        return { kind: 'unreadable', what: 'a function', node: statement };
      } else if (Node.isEnumDeclaration(statement) && statement.getName() === name) {
        return { kind: 'unreadable', what: 'an enum', node: statement };
      } else if (Node.isImportDeclaration(statement)) {
        const binding = this.#importBinding(statement, name);
        if (binding !== undefined) return binding;
      }
    }
    return { kind: 'undeclared' };
  }

  /** What `file` exports as `name` (`'default'` for the default export), following re-exports. */
  resolveExport(file: SourceFile, name: string, reference: Node): Binding {
    const key = `${file.getFilePath()}\0${name}`;
    if (this.#resolving.has(key)) return { kind: 'not-exported', name, file, node: reference };
    this.#resolving.add(key);
    try {
      return this.#resolveExport(file, name, reference);
    } finally {
      this.#resolving.delete(key);
    }
  }

  #resolveExport(file: SourceFile, name: string, reference: Node): Binding {
    const starTargets: ImportTarget[] = [];
    for (const statement of file.getStatements()) {
      const own = ownExport(statement, name, file);
      if (own !== undefined) return own;
      if (!Node.isExportDeclaration(statement)) continue;
      const specifier = statement.getModuleSpecifier();
      if (statement.getNamedExports().length === 0 && statement.getNamespaceExport() === undefined) {
        if (specifier !== undefined && name !== 'default') starTargets.push({ specifier: specifier.getLiteralValue(), node: specifier, from: file });
        continue;
      }
      const namespaceExport = statement.getNamespaceExport();
      if (namespaceExport !== undefined && namespaceExport.getName() === name && specifier !== undefined)
        return this.#moduleBinding({ specifier: specifier.getLiteralValue(), node: specifier, from: file }, (target) => ({
          kind: 'namespace',
          file: target,
          node: namespaceExport,
        }));
      for (const exported of statement.getNamedExports()) {
        if ((exported.getAliasNode()?.getText() ?? exported.getName()) !== name) continue;
        if (specifier === undefined) return this.resolveLocal(file, exported.getName());
        return this.#moduleBinding({ specifier: specifier.getLiteralValue(), node: specifier, from: file }, (target) =>
          this.resolveExport(target, exported.getName(), exported),
        );
      }
    }
    for (const target of starTargets) {
      const binding = this.#moduleBinding(target, (module) => this.resolveExport(module, name, reference));
      if (binding.kind !== 'not-exported') return binding;
    }
    return { kind: 'not-exported', name, file, node: reference };
  }

  #importBinding(declaration: ImportDeclaration, name: string): Binding | undefined {
    const target: ImportTarget = {
      specifier: declaration.getModuleSpecifierValue(),
      node: declaration.getModuleSpecifier(),
      from: declaration.getSourceFile(),
    };
    const defaultImport = declaration.getDefaultImport();
    if (defaultImport?.getText() === name)
      return this.#moduleBinding(target, (file) =>
        isJson(file) ? { kind: 'json', file } : this.resolveExport(file, 'default', defaultImport),
      );
    const namespaceImport = declaration.getNamespaceImport();
    if (namespaceImport?.getText() === name)
      return this.#moduleBinding(target, (file) => ({ kind: 'namespace', file, node: namespaceImport }));
    for (const specifier of declaration.getNamedImports()) {
      if ((specifier.getAliasNode()?.getText() ?? specifier.getName()) !== name) continue;
      return this.#moduleBinding(target, (file) =>
        isJson(file)
          ? { kind: 'unreadable', what: 'a named import from a JSON module (import its default instead)', node: specifier }
          : this.resolveExport(file, specifier.getName(), specifier),
      );
    }
    return undefined;
  }

  /** Follows a relative import to its file; a package or a missing file ends the trail. */
  #moduleBinding(target: ImportTarget, inModule: (file: SourceFile) => Binding): Binding {
    if (!isRelative(target.specifier)) return { kind: 'package', specifier: target.specifier, node: target.node };
    const path = this.#modulePathOf(dirname(target.from.getFilePath()), target.specifier);
    const file = path === undefined ? undefined : this.files.at(path);
    if (file === undefined) return { kind: 'missing-module', specifier: target.specifier, node: target.node };
    return inModule(file);
  }

  /**
   * The file an import names. The candidates tried before it are remembered as absent: if one
   * appears later, the import names another file (for esbuild too), so a cached result is stale.
   */
  #modulePathOf(fromDir: string, specifier: string): string | undefined {
    for (const candidate of moduleCandidatesOf(fromDir, specifier)) {
      if (isFile(candidate)) return candidate;
      this.files.noteAbsent(candidate);
    }
    return undefined;
  }
}

interface ImportTarget {
  readonly specifier: string;
  readonly node: Node;
  readonly from: SourceFile;
}

function variableBinding(declaration: VariableDeclaration, name: string, file: SourceFile): Binding | undefined {
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode))
    return nameNode.getDescendantsOfKind(SyntaxKind.Identifier).some((identifier) => identifier.getText() === name)
      ? { kind: 'unreadable', what: 'a destructured binding', node: declaration }
      : undefined;
  if (nameNode.getText() !== name) return undefined;
  const keyword = declaration.getVariableStatementOrThrow().getDeclarationKind();
  if (keyword !== 'const') return { kind: 'unreadable', what: `a ${keyword} binding`, node: declaration };
  const initializer = declaration.getInitializer();
  if (initializer === undefined) return { kind: 'unreadable', what: 'a const without a value', node: declaration };
  return { kind: 'value', expression: initializer, file };
}

/** A binding `statement` itself exports as `name`, if it does. */
function ownExport(statement: Node, name: string, file: SourceFile): Binding | undefined {
  if (Node.isExportAssignment(statement) && !statement.isExportEquals() && name === 'default')
    return { kind: 'value', expression: statement.getExpression(), file };
  if (Node.isVariableStatement(statement) && statement.hasExportKeyword())
    for (const declaration of statement.getDeclarations()) {
      const binding = variableBinding(declaration, name, file);
      if (binding !== undefined) return binding;
    }
  if (Node.isClassDeclaration(statement) && exportsAs(statement, name)) return { kind: 'class', declaration: statement };
  if ((Node.isFunctionDeclaration(statement) || Node.isEnumDeclaration(statement)) && exportsAs(statement, name))
    return { kind: 'unreadable', what: Node.isEnumDeclaration(statement) ? 'an enum' : 'a function', node: statement };
  return undefined;
}

/** Reads the modifiers only: ts-morph's isExported() and isDefaultExport() build the whole program. */
function exportsAs(
  declaration: Node & { hasExportKeyword(): boolean; hasDefaultKeyword(): boolean; getName(): string | undefined },
  name: string,
): boolean {
  if (!declaration.hasExportKeyword()) return false;
  return declaration.hasDefaultKeyword() ? name === 'default' : declaration.getName() === name;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
}

function isJson(file: SourceFile): boolean {
  return file.getFilePath().endsWith('.json');
}

/** The files an import may name, in the order TypeScript's resolution tries them (it maps `.js` to `.ts`). */
function moduleCandidatesOf(fromDir: string, specifier: string): string[] {
  const base = resolve(fromDir, specifier);
  const extension = extname(base);
  const stem = base.slice(0, base.length - extension.length);
  return extension === '.js' || extension === '.jsx'
    ? [`${stem}.ts`, `${stem}.tsx`, base]
    : extension === '.mjs'
      ? [`${stem}.mts`, base]
      : extension === '.cjs'
        ? [`${stem}.cts`, base]
        : ['.ts', '.tsx', '.mts', '.cts', '.json'].includes(extension)
          ? [base]
          : [`${base}.ts`, `${base}.tsx`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')];
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false; // ENOTDIR and the like: `x/index.ts` where `x` is a file is simply not a candidate
  }
}
