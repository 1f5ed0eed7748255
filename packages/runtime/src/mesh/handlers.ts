import type { Capability, MeshHandler } from '@hecate-om/contract';

/**
 * The handlers `start(opts)` registers with `opts.mesh.serve()`: only for declared capabilities,
 * once each. The advertisement refuses to go on while a declared capability has none.
 */
export class HandlerRegistry {
  readonly #declared: readonly Capability[];
  readonly #handlers = new Map<string, MeshHandler>();

  constructor(declared: readonly Capability[]) {
    this.#declared = declared;
  }

  /** Throws for an undeclared capability or one already served: a programming error in start(). */
  serve(capability: string, handler: MeshHandler): void {
    if (!this.#declared.some((declared) => declared.name === capability))
      throw new Error(`opts.mesh.serve("${capability}"): the service does not declare ${capability}; capabilities() declares ${this.#declaredNames()}`);
    if (this.#handlers.has(capability)) throw new Error(`opts.mesh.serve("${capability}"): ${capability} is already served`);
    this.#handlers.set(capability, handler);
  }

  get(capability: string): MeshHandler | undefined {
    return this.#handlers.get(capability);
  }

  /** Declared capabilities without a handler, each named once. */
  unserved(): string[] {
    return [...new Set(this.#declared.map((capability) => capability.name))].filter((name) => !this.#handlers.has(name));
  }

  /** The boot's refusal when `start()` returned with capabilities unserved; undefined when all are. */
  unservedProblem(): string | undefined {
    const unserved = this.unserved();
    return unserved.length === 0
      ? undefined
      : `start() returned without serving ${unserved.join(', ')}: call opts.mesh.serve(capability, handler) for every declared capability`;
  }

  #declaredNames(): string {
    const names = this.#declared.map((capability) => `${capability.name} v${capability.version}`);
    return names.length === 0 ? 'none' : names.join(', ');
  }
}
