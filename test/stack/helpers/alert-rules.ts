// The alert rules of prometheus/rules/, by name, for the tests that look for them: the promtool
// test (alert-rules.test.ts) holds the rule files to this list, and the live tests check the
// alerts by these names in a running Prometheus (GET /api/v1/alerts).
import { join } from 'node:path';
import { REPO_ROOT } from '../../../stack/paths.ts';

/** The rule files Prometheus loads (`rule_files: [rules/*.yml]`); their promtool tests are in tests/. */
export const RULES_DIR = join(REPO_ROOT, 'prometheus/rules');

/**
 * Fires when a breaker has not closed for a minute (open, or half-open with its test calls
 * failing): during bank-outage, for the `bank` breaker of payments, once the fault has lasted
 * a minute plus a scrape and an evaluation (15 s each). Labels: breaker, service_name, instance.
 */
export const BREAKER_OPEN_ALERT = 'HopscopeCircuitBreakerOpen';

/** Every alert the rule files define, one name per rule. */
export const ALERT_NAMES = [
  BREAKER_OPEN_ALERT,
  'HopscopeCircuitBreakerFlapping',
  'HopscopeSagaCompensationRatioHigh',
  'HopscopeSagaStuck',
  'HopscopeDeadLettersGrowing',
  'HopscopeOutboxBacklogGrowing',
  'HopscopeTelemetryDropped',
  'HopscopeTelemetryExportFailing',
  'HopscopeHttpErrorBudgetBurnFast',
  'HopscopeHttpErrorBudgetBurnSlow',
] as const;
