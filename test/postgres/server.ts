/**
 * The suite's PostgreSQL server (scripts/postgres/server.js), with TLS on: started before the
 * first test, stopped after the last, failures or not (mocha root hooks; and the server script
 * stops it when this process exits).
 */
import { startPostgres } from '../support/postgres';

type Server = Awaited<ReturnType<typeof startPostgres>>;
let running: Server | undefined;

export function server(): Server {
  if (!running) throw new Error('the PostgreSQL server is not running');
  return running;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120000);
    running = await startPostgres({ ssl: true });
    console.log(`      (PostgreSQL on 127.0.0.1:${running.port}, TLS on)`);
  },
  async afterAll() {
    await running?.stop();
  },
};
