import { spawnSync } from 'node:child_process';

/**
 * A skip reason when `tool` is not on PATH — on a developer's machine only. In CI
 * (CI=true) a missing tool is never a skip: the test runs and fails, naming what is absent.
 */
export function missingTool(tool: string): string | false {
  if (process.env['CI'] === 'true') return false;
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0 ? false : `${tool} is not installed (see scripts/ci-deps.sh)`;
}
