import type { PolicyProblem } from '@hecate-om/realm';
import type { Problem } from '../hecate-command.js';

/** A policy file's problems as refusals of --policy, one per problem: `policy.json: $.services...: why`. */
export async function policyFlagProblems(problems: readonly PolicyProblem[]): Promise<Problem[]> {
  const { formatPolicyProblems } = await import('@hecate-om/realm');
  return problems.map((problem) => ({ flag: '--policy', message: formatPolicyProblems([problem]) }));
}
