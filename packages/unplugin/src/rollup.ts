import { createRollupPlugin } from 'unplugin';
import { unpluginFactory } from './index.js';

export default createRollupPlugin(unpluginFactory);
