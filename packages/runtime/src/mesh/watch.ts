import type { MeshProvider, MeshProviderChange } from '@hecate-om/contract';

/** Where watched providers come from: a `ProviderView`, in the runtime and in `createTestMesh()`. */
export interface WatchSource {
  lookup(capability: string): readonly MeshProvider[];
  listen(capability: string, listener: (change: MeshProviderChange) => void): () => void;
}

/**
 * `mesh.watch(capability)`: the providers known now as `added`, then every change as it happens.
 * Changes queue while the loop body runs, so none is lost; the iterable ends when the loop breaks
 * out of it (its `return()`) or when `signal` aborts.
 */
export function watchProviders(source: WatchSource, capability: string, signal?: AbortSignal): AsyncIterable<MeshProviderChange> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<MeshProviderChange> {
      const queue: MeshProviderChange[] = source.lookup(capability).map((provider) => ({ type: 'added', provider }));
      let wake: (() => void) | undefined;
      let done = signal?.aborted === true;
      const unlisten = source.listen(capability, (change) => {
        queue.push(change);
        wake?.();
      });
      const finish = (): IteratorReturnResult<undefined> => {
        done = true;
        unlisten();
        signal?.removeEventListener('abort', onAbort);
        wake?.();
        return { done: true, value: undefined };
      };
      const onAbort = (): void => void finish();
      signal?.addEventListener('abort', onAbort, { once: true });
      return {
        async next(): Promise<IteratorResult<MeshProviderChange>> {
          while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          const change = queue.shift();
          return change === undefined || done ? finish() : { done: false, value: change };
        },
        async return(): Promise<IteratorResult<MeshProviderChange>> {
          return finish();
        },
      };
    },
  };
}
