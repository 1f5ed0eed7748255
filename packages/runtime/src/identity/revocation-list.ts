import { readRevocationList } from '@hecate-om/ucan';
import { RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { debug } from '../debug.js';
import type { Clock } from '../health-monitor.js';
import type { RuntimeLogger } from '../logger.js';
import { readSecretText, writeFileAtomically } from './identity-files.js';
import { fetchRevocations } from './realm-client.js';

/** The refresh interval is spread by this much either way, so that instances started together do not ask together. */
export const REVOCATION_REFRESH_JITTER = 0.25;
/** 100000 revocations (the most `readRevocationList` reads) of about 250 bytes each, with room. */
const MAX_KEPT_LIST_BYTES = 32 * 1024 * 1024;

export interface RevocationListOptions {
  readonly realmUrl: string;
  readonly realmDid: string;
  /** Where the last list fetched is kept (`<state>/identity/revocations.json`). */
  readonly file: string;
  /** `HECATE_REVOCATION_REFRESH_MS`. */
  readonly intervalMs: number;
  readonly log: RuntimeLogger;
  readonly clock: Clock;
  /** In [0, 1): spreads the refreshes. */
  readonly random: () => number;
  /** After each refresh that fetched a list, whether or not it changed. */
  readonly onRefreshed: () => void;
}

/**
 * The realm's revocation list as this instance knows it (claim mode): read back from the state
 * directory at start, then fetched from the realm every `intervalMs` (±25 %), so that a revocation
 * reaches a running instance within about that long, and survives a restart while the realm is
 * away. What is read, from the file or the realm, is untrusted: only entries signed by the pinned
 * realm count. A failed fetch keeps the last list and is logged once per change of cause.
 */
export class RevocationList {
  readonly #options: RevocationListOptions;
  #revoked: ReadonlySet<string> = new Set();
  #kept = '';
  #failure: string | undefined;
  #cancelTimer: (() => void) | undefined;
  #stopped = false;

  constructor(options: RevocationListOptions) {
    this.#options = options;
  }

  /** The CIDs revoked, as last read. */
  get revoked(): ReadonlySet<string> {
    return this.#revoked;
  }

  /** Reads the list kept by an earlier start; a file that cannot be used is said, and ignored. */
  async load(): Promise<void> {
    const { file, realmDid, log } = this.#options;
    const read = await readSecretText(file, MAX_KEPT_LIST_BYTES);
    if (!read.ok) return log.warn(`${read.message}: starting with no revocations until the realm answers`, { file });
    if (read.text === undefined) return;
    let list: unknown;
    try {
      list = JSON.parse(read.text);
    } catch (error) {
      return log.warn(`${file} is not JSON (${(error as Error).message}): starting with no revocations until the realm answers`, { file });
    }
    const checked = readRevocationList(list, [realmDid]);
    if (!checked.ok) return log.warn(`${file} ${checked.message}: starting with no revocations until the realm answers`, { file });
    this.#revoked = checked.revoked;
    this.#kept = read.text;
    debug('identity: %d revocations read back from %s', checked.revoked.size, file);
  }

  /** Fetches the list now; true when the realm answered. */
  async refresh(): Promise<boolean> {
    const { realmUrl, realmDid, file, log } = this.#options;
    const fetched = await fetchRevocations(realmUrl, realmDid);
    if (!fetched.ok) {
      const cause = `${fetched.code}: ${fetched.message}`;
      if (cause !== this.#failure)
        log.warn(`cannot refresh the revocation list: ${cause}; the last one (${this.#revoked.size} revoked) stays in use, and it is asked again every ${this.#options.intervalMs} ms (${RUNTIME_SETTINGS.revocationRefreshMs.variable})`, {
          code: fetched.code,
        });
      this.#failure = cause;
      return false;
    }
    if (this.#failure !== undefined) log.info('the revocation list is fetched again', { revoked: fetched.value.revoked.size });
    this.#failure = undefined;
    this.#revoked = fetched.value.revoked;
    const text = JSON.stringify(fetched.value.list);
    if (text !== this.#kept)
      await writeFileAtomically(file, `${text}\n`).then(
        () => (this.#kept = text),
        (error: unknown) => log.warn(`cannot keep the revocation list in ${file}: ${(error as Error).message}; a restart while the realm is away starts without it`, { file }),
      );
    return true;
  }

  /** Refreshes every `intervalMs` (±25 %) from now until stop(). */
  start(): void {
    const { clock, intervalMs, random } = this.#options;
    if (this.#stopped) return;
    const delayMs = Math.round(intervalMs * (1 + REVOCATION_REFRESH_JITTER * (2 * random() - 1)));
    this.#cancelTimer = clock.setTimer(() => {
      void this.refresh().then((answered) => {
        if (this.#stopped) return;
        if (answered) this.#options.onRefreshed();
        this.start();
      });
    }, Math.max(1, delayMs));
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
  }
}
