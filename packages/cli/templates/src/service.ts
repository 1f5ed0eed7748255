import {
  type Capability,
  type Health,
  HecateService,
  type IdentitySpec,
  type Info,
} from '@hecate-om/contract';
import pkg from '../package.json' with { type: 'json' };

/**
 * The contract of {{name}}.
 *
 * The build reads info(), capabilities() and identitySpec() without running them, and derives the
 * manifest, the UCAN request, the image and the Quadlet unit from what they return. The runtime
 * calls start(), health() and stop().
 */
export default class {{className}} extends HecateService {
  /** Whatever start() returns is the state stop() receives; this service keeps none. */
  start(): void {}

  stop(): void {}

  health(): Health {
    return 'ok';
  }

  /**
   * What the service offers on the mesh, each capability with a version from 1 and a name under
   * `{{capabilityPrefix}}.` (such as `{{capabilityPrefix}}.do_thing`).
   * It offers nothing, and test/service.test.ts says so.
   */
  capabilities(): readonly Capability[] {
    return [];
  }

  /**
   * The authority the service asks its realm for: each action becomes the ability
   * `{{scope}}/<action>` on each resource (`{{scope}}/...` or another namespace, such as
   * `corpora/*`: the realm decides what it grants).
   * It asks for none, and test/service.test.ts says so.
   */
  identitySpec(): IdentitySpec {
    return { scope: '{{scope}}', actions: [], resources: [], ttlDays: 30 };
  }

  info(): Info {
    return { name: '{{name}}', version: pkg.version, description: pkg.description };
  }
}
