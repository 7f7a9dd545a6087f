// Every metric name the package defines, in one place. HTTP and messaging names are the
// OpenTelemetry semantic conventions translated to Prometheus; hopscope_* are our own.

export const HTTP_SERVER_REQUEST_DURATION = 'http_server_request_duration_seconds';
export const HTTP_CLIENT_REQUEST_DURATION = 'http_client_request_duration_seconds';

export const MESSAGING_CLIENT_SENT_MESSAGES = 'messaging_client_sent_messages_total';
export const MESSAGING_CLIENT_CONSUMED_MESSAGES = 'messaging_client_consumed_messages_total';
export const MESSAGING_PROCESS_DURATION = 'messaging_process_duration_seconds';
export const MESSAGING_REDELIVERED_MESSAGES = 'hopscope_messaging_redelivered_messages_total';

export const TELEMETRY_SPANS_EXPORTED = 'hopscope_telemetry_spans_exported_total';
export const TELEMETRY_SPANS_DROPPED = 'hopscope_telemetry_spans_dropped_total';
export const TELEMETRY_SPANS_EXPORT_FAILED = 'hopscope_telemetry_spans_export_failed_total';
export const TELEMETRY_LOGS_EXPORTED = 'hopscope_telemetry_log_records_exported_total';
export const TELEMETRY_LOGS_DROPPED = 'hopscope_telemetry_log_records_dropped_total';
export const TELEMETRY_LOGS_EXPORT_FAILED = 'hopscope_telemetry_log_records_export_failed_total';

/** The semantic-convention buckets for HTTP durations (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
