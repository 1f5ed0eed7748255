import { createRspackPlugin } from 'unplugin';
import { unpluginFactory } from './index.js';

export default createRspackPlugin(unpluginFactory);
