import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NO_FAULTS } from '../../src/shared/admin-api.ts';
import { AdminApiError, AdminClient } from '../../src/shared/admin-client.ts';
import { ADMIN_TOKEN, type RunningFrontend, startFrontend } from '../support/servers.ts';

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The console's admin relay when logic cannot be reached: a 503 that says what happened. */
describe("the frontend's admin relay with logic unreachable", () => {
  let frontend: RunningFrontend;

  before(async () => {
    frontend = await startFrontend({
      logicUrls: [`http://127.0.0.1:${await closedPort()}`],
      env: { ADMIN_TOKEN, LOGIC_RETRIES: '1' },
    });
  });
  after(() => frontend.close());

  it('names the call and how it failed, and never opens the purchase breaker', async () => {
    const admin = new AdminClient(`${frontend.url}/api`, ADMIN_TOKEN);
    for (let i = 0; i < 6; i++) {
      const error = await admin.putFaults(NO_FAULTS).catch((e: unknown) => e);
      assert.ok(error instanceof AdminApiError, String(error));
      assert.equal(error.status, 503);
      assert.equal(
        error.serverMessage,
        'Logic did not answer PUT /admin/faults: logic could not be reached.',
      );
    }
    // More failures than BREAKER_THRESHOLD (5), none of them counted by the purchase breaker.
    assert.equal(frontend.client.breakerState, 'Closed');
  });
});
