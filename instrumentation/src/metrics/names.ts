// Every metric name the package defines, in one place. HTTP and messaging names are the
// OpenTelemetry semantic conventions translated to Prometheus; hopscope_* are our own.

export const HTTP_SERVER_REQUEST_DURATION = 'http_server_request_duration_seconds';
export const HTTP_CLIENT_REQUEST_DURATION = 'http_client_request_duration_seconds';

export const MESSAGING_CLIENT_SENT_MESSAGES = 'messaging_client_sent_messages_total';
export const MESSAGING_CLIENT_CONSUMED_MESSAGES = 'messaging_client_consumed_messages_total';
export const MESSAGING_PROCESS_DURATION = 'messaging_process_duration_seconds';
export const MESSAGING_REDELIVERED_MESSAGES = 'hopscope_messaging_redelivered_messages_total';

// One series per library the package has instrumented in this process: which, and which version.
export const INSTRUMENTED_LIBRARY_INFO = 'hopscope_instrumented_library_info';

export const TELEMETRY_SPANS_EXPORTED = 'hopscope_telemetry_spans_exported_total';
export const TELEMETRY_SPANS_DROPPED = 'hopscope_telemetry_spans_dropped_total';
export const TELEMETRY_SPANS_EXPORT_FAILED = 'hopscope_telemetry_spans_export_failed_total';
export const TELEMETRY_LOGS_EXPORTED = 'hopscope_telemetry_log_records_exported_total';
export const TELEMETRY_LOGS_DROPPED = 'hopscope_telemetry_log_records_dropped_total';
export const TELEMETRY_LOGS_EXPORT_FAILED = 'hopscope_telemetry_log_records_export_failed_total';

/** The semantic-convention buckets for HTTP durations (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

// Circuit breakers (Resilience4j's model: one-hot state, transitions, calls by outcome).
export const BREAKER_STATE = 'hopscope_circuit_breaker_state';
export const BREAKER_LAST_TRANSITION = 'hopscope_circuit_breaker_last_transition_timestamp_seconds';
export const BREAKER_TRANSITIONS = 'hopscope_circuit_breaker_transitions_total';
export const BREAKER_CALLS = 'hopscope_circuit_breaker_calls_total';
export const BREAKER_CALL_DURATION = 'hopscope_circuit_breaker_call_duration_seconds';
export const BREAKER_FAILURE_RATE = 'hopscope_circuit_breaker_failure_rate';

// Retry, timeout and bulkhead policies.
export const RETRY_ATTEMPTS = 'hopscope_retry_attempts_total';
export const RETRY_CALLS = 'hopscope_retry_calls_total';
export const RETRY_BACKOFF = 'hopscope_retry_backoff_seconds';
export const TIMEOUTS = 'hopscope_timeout_timeouts_total';
export const BULKHEAD_ACTIVE = 'hopscope_bulkhead_active_calls';
export const BULKHEAD_QUEUED = 'hopscope_bulkhead_queued_calls';
export const BULKHEAD_REJECTED = 'hopscope_bulkhead_rejected_total';

// Sagas: the saga id never becomes a label; it travels in baggage, span attributes and logs.
export const SAGA_STARTED = 'hopscope_saga_started_total';
export const SAGA_ENDED = 'hopscope_saga_ended_total';
export const SAGA_DURATION = 'hopscope_saga_duration_seconds';
export const SAGA_STEP_DURATION = 'hopscope_saga_step_duration_seconds';
export const SAGA_IN_FLIGHT = 'hopscope_saga_in_flight';
export const SAGA_OLDEST_IN_FLIGHT_AGE = 'hopscope_saga_oldest_in_flight_age_seconds';

// Transactional outbox, idempotent consumers and poison messages.
export const OUTBOX_PENDING = 'hopscope_outbox_pending_messages';
export const OUTBOX_RELAY_LAG = 'hopscope_outbox_relay_lag_seconds';
export const OUTBOX_PUBLISHED = 'hopscope_outbox_published_total';
export const OUTBOX_PUBLISH_FAILURES = 'hopscope_outbox_publish_failures_total';
export const IDEMPOTENT_PROCESSED = 'hopscope_idempotent_processed_total';
export const IDEMPOTENT_DUPLICATES = 'hopscope_idempotent_duplicates_total';
export const MESSAGING_RETRIED = 'hopscope_messaging_retried_messages_total';
export const MESSAGING_DEAD_LETTERED = 'hopscope_messaging_dead_lettered_messages_total';

/** Buckets for saga and relay durations, which run from milliseconds to minutes (seconds). */
export const LONG_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

// Chaos: which runtime fault knob a demo service has on, so dashboards can annotate it.
export const CHAOS_FAULT_ACTIVE = 'hopscope_chaos_fault_active';
