import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The template repository shipped with the CLI (packages/cli/templates). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));

/** `{{name}}`: a placeholder. GitHub's `${{ expression }}` has spaces and dots, so it never matches. */
export const PLACEHOLDER_PATTERN = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/** Values substituted for placeholders: tokens obey a restricted alphabet; free text is escaped per file type. */
export interface TemplateValues {
  readonly tokens: Readonly<Record<string, string>>;
  readonly freeText: Readonly<Record<string, string>>;
}

export interface TemplateFile {
  /** Where the file goes in the generated repository, `/`-separated: `.github/workflows/ci.yml`. */
  readonly path: string;
  /** Where the template is, relative to TEMPLATES_DIR, `/`-separated: `_github/workflows/ci.yml`. */
  readonly templatePath: string;
}

export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/** Characters a token may hold: enough for hosts with ports, scopes, versions and class names. */
const TOKEN_PATTERN = /^[A-Za-z0-9._:/@-]+$/;

/**
 * npm and pnpm leave `.gitignore` out of a packed package, so a template path segment starting with
 * `_` stands for one starting with `.`: `_gitignore` → `.gitignore`, `_github/` → `.github/`.
 */
export function generatedPathOf(templatePath: string): string {
  return templatePath
    .split('/')
    .map((segment) => (segment.startsWith('_') ? `.${segment.slice(1)}` : segment))
    .join('/');
}

/** Every template file, sorted by generated path. */
export async function listTemplateFiles(templatesDir: string = TEMPLATES_DIR): Promise<TemplateFile[]> {
  const entries = await readdir(templatesDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const templatePath = relative(templatesDir, join(entry.parentPath, entry.name)).split(sep).join('/');
      return { path: generatedPathOf(templatePath), templatePath };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Markdown that would turn part of a sentence into markup or HTML; `~` as well as a backtick, since
 * a line starting with three of either opens a code fence that swallows the rest of the file.
 */
function markdownText(value: string): string {
  return value.replace(/[\\`~*_[\]<>|#]/g, (character) => `\\${character}`);
}

/**
 * How free text is written into a file of each type: templates put it inside a JSON string or in
 * Markdown prose. Code reads it from package.json, so no other file type needs it.
 */
const FREE_TEXT_ESCAPES: Readonly<Record<string, (value: string) => string>> = {
  '.json': jsonStringContent,
  '.md': markdownText,
};

/**
 * Fills in a template's placeholders. Unknown placeholders, tokens outside their alphabet and free
 * text in a file type without an escape are programming errors in the templates, so they throw.
 */
export function renderTemplate(path: string, template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (_placeholder, key: string) => {
    const token = values.tokens[key];
    if (token !== undefined) {
      if (!TOKEN_PATTERN.test(token)) throw new Error(`template value ${key}=${JSON.stringify(token)} is not a token`);
      return token;
    }
    const text = values.freeText[key];
    if (text === undefined) throw new Error(`${path} uses the unknown placeholder {{${key}}}`);
    const escape = FREE_TEXT_ESCAPES[extname(path)];
    if (escape === undefined) throw new Error(`${path} uses the free text {{${key}}}, and its file type has no escape`);
    return escape(text);
  });
}

/** Reads and renders every template. */
export async function renderTemplates(values: TemplateValues, templatesDir: string = TEMPLATES_DIR): Promise<RenderedFile[]> {
  const files = await listTemplateFiles(templatesDir);
  return Promise.all(
    files.map(async ({ path, templatePath }) => ({
      path,
      content: renderTemplate(path, await readFile(join(templatesDir, templatePath), 'utf8'), values),
    })),
  );
}
