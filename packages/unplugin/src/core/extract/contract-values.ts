import { BUILD_TIME_MEMBERS, type BuildTimeMember } from '@hecate-om/contract/rules';
import { Node } from 'ts-morph';
import type { Diagnostic } from '../diagnostic.js';
import type { ContractMember, MemberFunction } from './contract-members.js';
import { formatValuePath, type LocatedValue, type ValuePath } from './located-value.js';
import type { ModuleBindings } from './module-bindings.js';
import { diagnosticAt, locationOf, type SourceFiles } from './source-files.js';
import { type EvaluationProblem, StaticEvaluator } from './static-evaluator.js';

/** The members whose values the manifest is derived from (the contract's build-time members). */
export type ValueMember = BuildTimeMember;

export interface ContractValueReading {
  /** The value of each member that could be read, with `unknown` parts where it could not. */
  readonly values: ReadonlyMap<ValueMember, LocatedValue>;
  /** Paths whose value is missing or incomplete: rule checks there would only repeat the problem. */
  readonly unreadPaths: readonly ValuePath[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads what info(), capabilities() and identitySpec() return, without running them. */
export function readContractValues(bindings: ModuleBindings, members: ReadonlyMap<ContractMember, MemberFunction>): ContractValueReading {
  const evaluator = new StaticEvaluator(bindings);
  const values = new Map<ValueMember, LocatedValue>();
  const diagnostics: Diagnostic[] = [];
  const unreadPaths: ValuePath[] = [];
  for (const name of BUILD_TIME_MEMBERS) {
    const member = members.get(name);
    if (member === undefined) {
      unreadPaths.push([name]);
      continue;
    }
    const returned = returnedExpressionOf(member);
    if (!('expression' in returned)) {
      diagnostics.push(returned);
      unreadPaths.push([name]);
      continue;
    }
    const parameters = new Set(member.function.getParameters().map((parameter) => parameter.getName()));
    values.set(name, evaluator.evaluate(returned.expression, [name], { file: member.function.getSourceFile(), parameters }));
  }
  for (const problem of evaluator.problems) {
    diagnostics.push(problemDiagnostic(problem, bindings.files));
    unreadPaths.push(problem.path);
  }
  // Past a limit the values are cut short anywhere: checking rules on them would report the cut.
  if (evaluator.limitReached !== undefined) {
    diagnostics.push(problemDiagnostic(evaluator.limitReached, bindings.files));
    unreadPaths.push([]);
  }
  return { values, unreadPaths, diagnostics };
}

/** The expression a member returns, when its body is nothing but `return <expression>`. */
function returnedExpressionOf(member: MemberFunction): { expression: Node } | Diagnostic {
  const { function: fn, name, className, nameNode } = member;
  const unsupported = (why: string, node: Node): Diagnostic =>
    diagnosticAt(
      'unsupported-body',
      `${className}.${name}() ${why}`,
      locationOf(node),
      'the build reads its value without running it, so it must be a single return statement such as return { ... }',
    );
  if (fn.isAsync()) return unsupported('is async', nameNode);
  if (!Node.isArrowFunction(fn) && fn.isGenerator()) return unsupported('is a generator', nameNode);
  const body = fn.getBody();
  if (body === undefined) return unsupported('has no body', nameNode);
  if (!Node.isBlock(body)) return { expression: body };
  const statements = body.getStatements();
  const [first] = statements;
  if (first === undefined) return unsupported('is empty', nameNode);
  if (statements.length > 1) return unsupported(`has ${statements.length} statements`, first);
  if (!Node.isReturnStatement(first)) return unsupported(`has ${first.getKindName()} instead of a return`, first);
  const expression = first.getExpression();
  if (expression === undefined) return unsupported('returns nothing', first);
  return { expression };
}

function problemDiagnostic(problem: EvaluationProblem, files: SourceFiles): Diagnostic {
  const location = problem.location ?? locationOf(problem.node);
  const where = `${formatValuePath(problem.path)} ${problem.relation} ${problem.found} (${files.describe(location)})`;
  switch (problem.code) {
    case 'unresolved-import':
      return diagnosticAt(
        problem.code,
        where,
        location,
        "the build reads it by following the service's own imports (relative, or mapped by tsconfig paths), so the import must name one file that exports it",
      );
    case 'not-static':
      return diagnosticAt(problem.code, where, location, problem.remedy ?? `the manifest is derived at build time, so it must be ${staticFormsFor(problem.path)}`);
    case 'unreadable-source':
    case 'over-limit':
      return diagnosticAt(problem.code, where, location, problem.remedy);
  }
}

const PACKAGE_JSON_FIELDS = new Set(['name', 'version', 'description']);

function staticFormsFor(path: ValuePath): string {
  const [member, field] = path;
  if (member === 'info' && path.length === 2 && typeof field === 'string' && PACKAGE_JSON_FIELDS.has(field))
    return `a literal, a top-level const, an enum member, a template of those, or package.json's ${field}`;
  return 'a literal, a top-level const, an enum member or a template of those';
}
