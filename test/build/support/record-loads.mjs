// `node --import ./record-loads.mjs script.mjs`: appends the URL of every module the process loads
// to the file named by HECATE_LOAD_LOG, to prove what a build did not load.
import { register } from 'node:module';

register('./load-log-hooks.mjs', import.meta.url, { data: { logFile: process.env.HECATE_LOAD_LOG } });
