export { countOf } from './hecate-command.js';
export type { Problem } from './hecate-command.js';
export { deriveServiceNames } from './scaffold/service-names.js';
export type { Placement, ServiceNames } from './scaffold/service-names.js';
export { checkScaffoldInput } from './scaffold/scaffold-input.js';
export type { FlagProblem, ScaffoldFlags, ScaffoldInput, ScaffoldInputResult } from './scaffold/scaffold-input.js';
export { parseJson, positionAt } from './validate/json-syntax.js';
export type { JsonSyntaxError, ParseJsonResult, TextPosition } from './validate/json-syntax.js';
