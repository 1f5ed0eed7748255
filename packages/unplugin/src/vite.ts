import { createVitePlugin } from 'unplugin';
import { unpluginFactory } from './index.js';

export default createVitePlugin(unpluginFactory);
