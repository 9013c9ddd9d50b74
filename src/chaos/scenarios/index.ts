import { DB_DOWN } from './db-down.ts';
import { DB_FREEZE, REPLICA_FREEZE, REPLICA_PARTITION } from './docker-only.ts';
import { FRONTEND_KILL, NETWORK_POLICY } from './kind-only.ts';
import { FLAKY_LOGIC, LOST_RESPONSES, SLOW_LOGIC } from './logic-faults.ts';
import { NODE_FREEZE, NODE_LOSS, NODE_PARTITION } from './nodes.ts';
import { LOGIC_DOWN, REPLICA_KILL, ROLLING_RESTART } from './restarts.ts';
import type { Scenario } from './scenario.ts';

export type { Scenario, ScenarioContext } from './scenario.ts';

/** Every scenario, in the fixed order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  REPLICA_KILL,
  ROLLING_RESTART,
  FLAKY_LOGIC,
  LOST_RESPONSES,
  SLOW_LOGIC,
  LOGIC_DOWN,
  DB_DOWN,
  FRONTEND_KILL,
  NETWORK_POLICY,
  NODE_FREEZE,
  NODE_LOSS,
  NODE_PARTITION,
  REPLICA_FREEZE,
  REPLICA_PARTITION,
  DB_FREEZE,
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
