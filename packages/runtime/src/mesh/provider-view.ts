import type { MeshProvider } from '@hecate-om/contract';
import type { ServiceInfo } from 'nats';
import { METADATA } from './subjects.js';

/**
 * The providers this instance knows, kept from INFO sweeps and announcements so that `lookup` is a
 * map read. Only endpoints a hecate runtime advertised (metadata naming the capability, its version
 * and `instance` addressing) count; other micro services on the same server are ignored.
 */
export class ProviderView {
  readonly #byInstance = new Map<string, readonly MeshProvider[]>();
  #byCapability = new Map<string, readonly MeshProvider[]>();
  #turn = 0;

  /** A full sweep: instances that did not answer it leave the view. */
  replaceAll(infos: readonly ServiceInfo[]): void {
    this.#byInstance.clear();
    for (const info of infos) this.#byInstance.set(info.id, providersOf(info));
    this.#reindex();
  }

  upsert(info: ServiceInfo): void {
    this.#byInstance.set(info.id, providersOf(info));
    this.#reindex();
  }

  remove(instance: string): boolean {
    const removed = this.#byInstance.delete(instance);
    if (removed) this.#reindex();
    return removed;
  }

  lookup(capability: string): readonly MeshProvider[] {
    return this.#byCapability.get(capability) ?? [];
  }

  /**
   * The providers to try for a call, in order: those of at least `minVersion`, starting at a turn
   * that moves on every call, so calls spread over the providers.
   */
  candidates(capability: string, minVersion: number): MeshProvider[] {
    const eligible = this.lookup(capability).filter((provider) => provider.version >= minVersion);
    if (eligible.length === 0) return [];
    const start = this.#turn++ % eligible.length;
    return [...eligible.slice(start), ...eligible.slice(0, start)];
  }

  #reindex(): void {
    const index = new Map<string, MeshProvider[]>();
    for (const providers of this.#byInstance.values())
      for (const provider of providers) {
        const list = index.get(provider.capability);
        if (list === undefined) index.set(provider.capability, [provider]);
        else list.push(provider);
      }
    this.#byCapability = index;
  }
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
      capability,
      version,
      subject: endpoint.subject,
    });
  }
  return providers;
}
