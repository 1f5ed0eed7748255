import { rolldown } from 'rolldown';
import hecateOm from '@hecate-om/unplugin/rolldown';
import { fileUrlLoader } from '../support/file-url-loader.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// rolldown reads TypeScript and resolves node_modules itself; cwd is the service project.
const buildWithRolldown: BuildInto = async ({ root, outdir, cacheDir, files }) => {
  const bundle = await rolldown({ cwd: root, platform: 'node', logLevel: 'silent', plugins: [fileUrlLoader(), hecateOm({ cacheDir, files })] });
  await bundle.write({ dir: outdir });
  await bundle.close();
};

describeRelease('/rolldown', buildWithRolldown);
describeDependenciesRelease('/rolldown', buildWithRolldown);
