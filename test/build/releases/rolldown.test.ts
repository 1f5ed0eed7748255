import { rolldown } from 'rolldown';
import hecateOm from '@hecate-om/unplugin/rolldown';
import { describeRelease } from '../support/release-matrix.js';

// rolldown reads TypeScript and resolves node_modules itself; cwd is the service project.
describeRelease('/rolldown', async ({ root, outdir, cacheDir }) => {
  const bundle = await rolldown({ cwd: root, platform: 'node', logLevel: 'silent', plugins: [hecateOm({ cacheDir })] });
  await bundle.write({ dir: outdir });
  await bundle.close();
});
