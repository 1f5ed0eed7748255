import { createDebugLog } from '@hecate-om/contract/rules';

/** What the runtime's parts are doing, with DEBUG=hecate-om or NODE_DEBUG=hecate-om. */
export const debug = /* @__PURE__ */ createDebugLog();
