/**
 * The user information of a URL (`user:token@` after `scheme://`): a credential, as in
 * `git+https://<token>@github.com/o/r.git`, which package.json's `repository` may carry.
 */
export const URL_CREDENTIALS = /(?<=[A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]*@/g;

/**
 * `text` with the credentials of every URL in it masked by `*`, one per UTF-8 byte: a masked
 * source line keeps its columns, as esbuild counts them, so the caret stays under the value.
 */
export function withoutCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (userinfo) => `${'*'.repeat(Buffer.byteLength(userinfo) - 1)}@`);
}
