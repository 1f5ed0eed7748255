import { createRolldownPlugin } from 'unplugin';
import { unpluginFactory } from './index.js';

export default createRolldownPlugin(unpluginFactory);
