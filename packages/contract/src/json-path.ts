const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['capabilities', 1, 'name']` → `$.capabilities[1].name`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let text = '$';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}
