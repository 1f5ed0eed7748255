import { DEFAULT_MAX_TOKEN_BYTES } from '@hecate-om/ucan';

/** How much of stdin a `-` argument reads: past a token's limit, it is not a token to read whole. */
const MAX_STDIN_BYTES = DEFAULT_MAX_TOKEN_BYTES + 1024;

export type TokenArgument = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string };

/**
 * The JWT argument of a token command: the argument itself, or stdin when it is `-` (at most
 * `MAX_STDIN_BYTES`, so `cat big-file | ...` stays bounded). Surrounding whitespace is dropped, as
 * a shell's `echo` or a file's last newline adds it.
 */
export async function readTokenArgument(argument: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<TokenArgument> {
  if (argument !== '-') return { ok: true, token: argument.trim() };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_STDIN_BYTES) return { ok: false, message: `stdin holds more than ${MAX_STDIN_BYTES} bytes: a UCAN is at most ${DEFAULT_MAX_TOKEN_BYTES}` };
    chunks.push(bytes);
  }
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (token === '') return { ok: false, message: 'stdin was empty: pipe the token in, as in `echo $TOKEN | hecate-om token inspect -`' };
  return { ok: true, token };
}
