import { type ClassDeclaration, type EnumDeclaration, type Expression, type ImportDeclaration, Node, type SourceFile, SyntaxKind, type VariableDeclaration } from 'ts-morph';
import { LIMITS } from './limits.js';
import { ModuleResolver } from './module-resolution.js';
import type { SourceFiles, SourceLocation } from './source-files.js';

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
  | { readonly kind: 'enum'; readonly declaration: EnumDeclaration }
  /** A declaration whose value the build cannot read: a let, a function, a destructured const. */
  | { readonly kind: 'unreadable'; readonly what: string; readonly node: Node }
  | { readonly kind: 'package'; readonly specifier: string; readonly node: Node }
  | { readonly kind: 'missing-module'; readonly specifier: string; readonly node: Node }
  | { readonly kind: 'not-exported'; readonly name: string; readonly file: SourceFile; readonly node: Node }
  /**
   * An import the reader will not follow: the file is not UTF-8 or too large, bundlers disagree on
   * which file it names, or the chain of imports is past the reader's limits. `location`, when
   * given, is where the cause is (the first byte that is not UTF-8), else `node` is.
   */
  | {
      readonly kind: 'refused';
      readonly code: 'unreadable-source' | 'unresolved-import' | 'over-limit';
      readonly what: string;
      readonly node: Node;
      readonly location?: SourceLocation;
      /** What to do about it, when there is something to say. */
      readonly remedy?: string;
    }
  | { readonly kind: 'undeclared' };

/**
 * Resolves names to their declarations across the modules of a service. Every answer is
 * remembered: a name is looked up once per module and an import followed once, however often the
 * contract uses it.
 */
export class ModuleBindings {
  /** Exports being resolved: modules that re-export each other in a circle end as not-exported. */
  readonly #resolving = new Set<string>();
  readonly #locals = new Map<SourceFile, Map<string, Binding>>();
  readonly #exports = new Map<string, Binding>();
  readonly #resolver: ModuleResolver;
  /** Imports being followed, one inside another. */
  #depth = 0;

  constructor(readonly files: SourceFiles) {
    this.#resolver = new ModuleResolver(files);
  }

  /** What `name` means at the top level of `file`. */
  resolveLocal(file: SourceFile, name: string): Binding {
    let locals = this.#locals.get(file);
    if (locals === undefined) this.#locals.set(file, (locals = new Map()));
    let binding = locals.get(name);
    if (binding === undefined) {
      binding = this.#resolveLocal(file, name);
      locals.set(name, binding);
    }
    return binding;
  }

  #resolveLocal(file: SourceFile, name: string): Binding {
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
        return enumBinding(file, statement);
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
    const known = this.#exports.get(key);
    if (known !== undefined) return known;
    if (this.#resolving.has(key)) return { kind: 'not-exported', name, file, node: reference };
    this.#resolving.add(key);
    try {
      const binding = this.#resolveExport(file, name, reference);
      this.#exports.set(key, binding);
      return binding;
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
    // `export *` of one name from two modules makes it ambiguous: JavaScript then exports neither.
    const found = starTargets
      .map((target) => ({ target, binding: this.#moduleBinding(target, (module) => this.resolveExport(module, name, reference)) }))
      .filter(({ binding }) => binding.kind !== 'not-exported');
    const [first, second] = found;
    if (second !== undefined)
      return {
        kind: 'refused',
        code: 'unresolved-import',
        what: `exported by both '${first?.target.specifier}' and '${second.target.specifier}' through export *, which makes it ambiguous (JavaScript exports neither)`,
        node: second.target.node,
      };
    return first?.binding ?? { kind: 'not-exported', name, file, node: reference };
  }

  #importBinding(declaration: ImportDeclaration, name: string): Binding | undefined {
    if (declaration.isTypeOnly()) return undefined;
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

  /** Follows an import to the file the bundler would bundle; a package, a missing or unreadable file ends the trail. */
  #moduleBinding(target: ImportTarget, inModule: (file: SourceFile) => Binding): Binding {
    const resolution = this.#resolver.resolve(target.from.getFilePath(), target.specifier);
    const refused = (
      code: 'unreadable-source' | 'unresolved-import' | 'over-limit',
      what: string,
      location?: SourceLocation,
      remedy?: string,
    ): Binding => ({
      kind: 'refused',
      code,
      what: `imported from '${target.specifier}', ${what}`,
      node: target.node,
      ...(location === undefined ? {} : { location }),
      ...(remedy === undefined ? {} : { remedy }),
    });
    switch (resolution.kind) {
      case 'package':
        return { kind: 'package', specifier: target.specifier, node: target.node };
      case 'missing':
        return { kind: 'missing-module', specifier: target.specifier, node: target.node };
      case 'uncertain':
        return refused('unresolved-import', `but ${resolution.why}`);
      case 'file':
        break;
    }
    const reading = this.files.read(resolution.path);
    const shown = this.files.relativePath(resolution.path);
    if (!reading.ok)
      switch (reading.kind) {
        case 'missing':
          return { kind: 'missing-module', specifier: target.specifier, node: target.node };
        case 'not-a-file':
          return refused('unreadable-source', `but ${shown} is ${reading.what}`);
        case 'too-large':
          return refused('over-limit', `but ${shown} holds ${reading.size} bytes, more than the ${LIMITS.sourceBytes} the reader parses`);
        case 'not-utf8':
          return refused(
            'unreadable-source',
            `but ${shown} is not UTF-8 (byte 0x${reading.byte.toString(16).toUpperCase().padStart(2, '0')})`,
            reading.location,
            'bundlers read sources as UTF-8, so save it as UTF-8',
          );
        case 'too-many-files':
          return refused('over-limit', `one module more than the ${LIMITS.files} the reader follows`);
        case 'too-deep':
          return refused('over-limit', `but ${shown} nests brackets more than ${LIMITS.depth} levels deep, past the reader's limit`, reading.location);
      }
    if (this.#depth >= LIMITS.depth) return refused('over-limit', `at the end of a chain of more than ${LIMITS.depth} imports, past the reader's limit`);
    this.#depth += 1;
    try {
      return inModule(reading.file);
    } finally {
      this.#depth -= 1;
    }
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
  if (Node.isFunctionDeclaration(statement) && exportsAs(statement, name)) return { kind: 'unreadable', what: 'a function', node: statement };
  if (Node.isEnumDeclaration(statement) && exportsAs(statement, name)) return enumBinding(file, statement);
  if (Node.isExportAssignment(statement) && statement.isExportEquals() && name === 'default')
    return { kind: 'unreadable', what: "the value of export =, which is CommonJS's module.exports, not a default export", node: statement };
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

function isJson(file: SourceFile): boolean {
  return file.getFilePath().endsWith('.json');
}

/**
 * An enum the reader can take members from: one declaration (TypeScript merges several, in an order
 * the reader does not follow), not `declare` (which emits nothing to read at run time).
 */
function enumBinding(file: SourceFile, declaration: EnumDeclaration): Binding {
  if (declaration.hasDeclareKeyword()) return { kind: 'unreadable', what: 'an ambient enum, which has no value at run time', node: declaration };
  const name = declaration.getName();
  const declarations = file.getStatements().filter((statement) => Node.isEnumDeclaration(statement) && statement.getName() === name);
  if (declarations.length > 1) return { kind: 'unreadable', what: 'an enum declared more than once', node: declaration };
  return { kind: 'enum', declaration };
}
