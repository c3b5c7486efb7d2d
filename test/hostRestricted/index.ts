import { runSuite } from '../host/mochaIndex';

/** The extension in a workspace opened in Restricted Mode (see scripts/host/extensionTests.js). */
export function run(): Promise<void> {
  return runSuite('host-restricted', __dirname);
}
