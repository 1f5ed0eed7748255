import { createDebugLog } from '@hecate-om/contract/rules';

/** What the plugin decided and why (cache, renderers), with DEBUG=hecate-om or NODE_DEBUG=hecate-om. */
export const debug = createDebugLog();
