import type { MeshProvider, MeshProviderChange } from '@hecate-om/contract';
import type { ServiceInfo } from 'nats';
import { METADATA } from './subjects.js';

type Listener = (change: MeshProviderChange) => void;

/**
 * The providers this instance knows, kept from INFO sweeps and announcements so that `lookup` is a
 * map read. Only endpoints a hecate runtime advertised (metadata naming the capability, its version
 * and `instance` addressing) count; other micro services on the same server are ignored. Every
 * change is told to the listeners of its capability (`watch()`).
 */
export class ProviderView {
  readonly #byInstance = new Map<string, readonly MeshProvider[]>();
  /** Instances a call timed out on; cleared when they answer a sweep, or leave. */
  readonly #suspects = new Set<string>();
  readonly #listeners = new Map<string, Set<Listener>>();
  /**
   * When each instance was removed (a `down` announcement, a call answered "no responders"), on the
   * view's own clock: a sweep asked before then may still hold the instance's reply, sent before
   * it left, and must not bring it back. Kept until a full sweep asked after the removal.
   */
  readonly #removedAt = new Map<string, number>();
  #clock = 0;
  #byCapability = new Map<string, readonly MeshProvider[]>();
  #turn = 0;

  /** Now, on the view's clock: pass it back with the replies of the INFO request made now. */
  moment(): number {
    return this.#clock;
  }

  /**
   * A full sweep asked at `askedAt` (moment()): instances that did not answer it leave the view;
   * those that did are not suspect, unless removed since it was asked.
   */
  replaceAll(infos: readonly ServiceInfo[], askedAt: number = this.#clock): void {
    infos = infos.filter((info) => !this.#removedSince(info.id, askedAt));
    for (const [instance, removedAt] of this.#removedAt) if (removedAt <= askedAt) this.#removedAt.delete(instance);
    const answered = new Set(infos.map((info) => info.id));
    for (const instance of this.#byInstance.keys()) if (!answered.has(instance)) this.#byInstance.delete(instance);
    for (const instance of [...this.#suspects]) if (!this.#byInstance.has(instance) || answered.has(instance)) this.#suspects.delete(instance);
    for (const info of infos) this.#byInstance.set(info.id, providersOf(info));
    this.#reindex();
  }

  /** One instance answered INFO asked at `askedAt` (it announced itself): it is in the view and not suspect, unless removed since. */
  upsert(info: ServiceInfo, askedAt: number = this.#clock): void {
    if (this.#removedSince(info.id, askedAt)) return;
    this.#suspects.delete(info.id);
    this.#byInstance.set(info.id, providersOf(info));
    this.#reindex();
  }

  remove(instance: string): boolean {
    this.#removedAt.set(instance, ++this.#clock);
    this.#suspects.delete(instance);
    const removed = this.#byInstance.delete(instance);
    if (removed) this.#reindex();
    return removed;
  }

  #removedSince(instance: string, askedAt: number): boolean {
    return (this.#removedAt.get(instance) ?? -Infinity) > askedAt;
  }

  /** A call to `instance` timed out: it is tried last until it answers a sweep again. */
  suspect(instance: string): void {
    if (!this.#byInstance.has(instance) || this.#suspects.has(instance)) return;
    this.#suspects.add(instance);
    this.#reindex();
  }

  /** An answer came back: whatever made the instance suspect is over. */
  clearSuspicion(instance: string): void {
    if (this.#suspects.delete(instance)) this.#reindex();
  }

  lookup(capability: string): readonly MeshProvider[] {
    return this.#byCapability.get(capability) ?? [];
  }

  /**
   * The providers to try for a call, in order: those of at least `minVersion`, starting at a turn
   * that moves on every call, so calls spread over the providers; suspects after all the others.
   */
  candidates(capability: string, minVersion: number): MeshProvider[] {
    const eligible = this.lookup(capability).filter((provider) => provider.version >= minVersion);
    if (eligible.length === 0) return [];
    const start = this.#turn++ % eligible.length;
    const turned = [...eligible.slice(start), ...eligible.slice(0, start)];
    return [...turned.filter((provider) => provider.health === 'ok'), ...turned.filter((provider) => provider.health !== 'ok')];
  }

  /** Calls `listener` with every change to the providers of `capability` from now on; returns the unsubscribe. */
  listen(capability: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(capability);
    if (listeners === undefined) this.#listeners.set(capability, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(capability);
    };
  }

  #reindex(): void {
    const previous = this.#byCapability;
    const index = new Map<string, MeshProvider[]>();
    for (const providers of this.#byInstance.values())
      for (const advertised of providers) {
        const provider: MeshProvider = this.#suspects.has(advertised.instance) ? { ...advertised, health: 'suspect' } : advertised;
        const list = index.get(provider.capability);
        if (list === undefined) index.set(provider.capability, [provider]);
        else list.push(provider);
      }
    this.#byCapability = index;
    for (const [capability, listeners] of this.#listeners) {
      const changes = changesBetween(previous.get(capability) ?? [], index.get(capability) ?? []);
      for (const change of changes) for (const listener of [...listeners]) listener(change);
    }
  }
}

const keyOf = (provider: MeshProvider): string => `${provider.instance} ${provider.version}`;

/** What a watcher of one capability is told when its providers go from `before` to `after`. */
export function changesBetween(before: readonly MeshProvider[], after: readonly MeshProvider[]): MeshProviderChange[] {
  const old = new Map(before.map((provider) => [keyOf(provider), provider]));
  const changes: MeshProviderChange[] = [];
  for (const provider of after) {
    const was = old.get(keyOf(provider));
    old.delete(keyOf(provider));
    if (was === undefined) changes.push({ type: 'added', provider });
    else if (was.health !== provider.health) changes.push({ type: 'changed', provider });
  }
  for (const provider of old.values()) changes.push({ type: 'removed', provider });
  return changes;
}

/** The capabilities an instance's INFO reply advertises for addressed calls. */
export function providersOf(info: ServiceInfo): MeshProvider[] {
  const providers: MeshProvider[] = [];
  for (const endpoint of info.endpoints ?? []) {
    const metadata = endpoint.metadata ?? {};
    const capability = metadata[METADATA.capability];
    const version = Number(metadata[METADATA.version]);
    if (capability === undefined || !Number.isSafeInteger(version) || metadata[METADATA.addressing] !== 'instance') continue;
    providers.push({
      service: info.name,
      serviceVersion: info.version,
      instance: info.id,
      did: info.metadata?.[METADATA.did] ?? '',
      realm: info.metadata?.[METADATA.realm] ?? '',
      capability,
      version,
      subject: endpoint.subject,
      health: 'ok',
    });
  }
  return providers;
}
