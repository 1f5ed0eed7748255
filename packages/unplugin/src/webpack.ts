import { createWebpackPlugin } from 'unplugin';
import { unpluginFactory } from './index.js';

export default createWebpackPlugin(unpluginFactory);
