// orders' own database. The order itself is only its event log (order_events); sagas hold
// where each place-order saga stands, so that a restarted instance (or another one) carries
// on; idempotency_keys make a retried POST /orders return the order it already placed.
export const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS order_events (
    seq bigserial PRIMARY KEY,
    order_id text NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX IF NOT EXISTS order_events_by_order ON order_events (order_id, seq)',
  `CREATE TABLE IF NOT EXISTS sagas (
    id text PRIMARY KEY,
    order_id text NOT NULL,
    name text NOT NULL,
    step_index integer NOT NULL,
    phase text NOT NULL,
    status text NOT NULL,
    data jsonb NOT NULL,
    deadline timestamptz,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    trace_headers jsonb NOT NULL DEFAULT '{}'
  )`,
  // The sweeper's query, and the in-flight gauges': running sagas only.
  "CREATE INDEX IF NOT EXISTS sagas_running ON sagas (name, deadline) WHERE status = 'running'",
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
    customer text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    order_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer, key)
  )`,
];
