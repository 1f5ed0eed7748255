import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { HecateCommand } from '../hecate-command.js';

export type KeygenReport =
  | { readonly did: string; readonly file: string }
  /** Without --out: the key itself, as PKCS#8 PEM. */
  | { readonly did: string; readonly privateKeyPem: string };

export default class Keygen extends HecateCommand {
  static override summary = 'Create an Ed25519 key pair and print its did:key.';

  static override description = `With --out, writes the private key to that file as PKCS#8 PEM, mode 0600, atomically (written in full beside it, then linked into place), and never over an existing file: a key lost is an identity lost. Without --out, prints the PEM on stdout. The DID (did:key:z6Mk...) is printed either way; it names the key in UCANs, realm policies (enroll.dids) and HECATE_REALM_DID.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out service.key',
    '<%= config.bin %> <%= command.id %> --out service.key --json',
    '<%= config.bin %> <%= command.id %> > service.key',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    out: Flags.string({ char: 'o', description: 'File to write the private key to; it must not exist, and its directory must. [default: stdout]' }),
  };

  async run(): Promise<KeygenReport> {
    const { flags } = await this.parse(Keygen);
    const { generateKeyPair, writeKeyFile } = await import('@hecate-om/ucan');
    const keyPair = generateKeyPair();
    if (flags.out === undefined) {
      const privateKeyPem = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      // The key is the output, so the DID goes to stderr and `keygen > file` writes a clean PEM.
      this.logToStderr(keyPair.did);
      if (!this.jsonEnabled()) process.stdout.write(privateKeyPem);
      return { did: keyPair.did, privateKeyPem };
    }
    const file = resolve(flags.out);
    const written = await writeKeyFile(file, keyPair);
    if (!written.ok)
      this.refuse('no key was written:', [
        {
          flag: '--out',
          message: written.error.message,
          ...(written.error.code === 'KEY_FILE_EXISTS' ? { hint: 'choose another file, or move that key away first if it is truly unused' } : {}),
        },
      ]);
    this.log(keyPair.did);
    return { did: keyPair.did, file };
  }
}
