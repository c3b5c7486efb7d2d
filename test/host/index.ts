import { runSuite } from './mochaIndex';

/** The extension in a trusted workspace. */
export function run(): Promise<void> {
  return runSuite('host', __dirname);
}
