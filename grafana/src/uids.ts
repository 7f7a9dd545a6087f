// Pinned dashboard uids: links, alert annotations and chaos scenarios point at these, so they
// never change once published.
export const DASHBOARD_UIDS = {
  services: 'hopscope-services',
  messaging: 'hopscope-messaging',
  sagas: 'hopscope-sagas',
  breakers: 'hopscope-breakers',
  telemetry: 'hopscope-telemetry',
} as const;

/** The tag every hopscope dashboard carries; the dashboards' links list dashboards by it. */
export const HOPSCOPE_TAG = 'hopscope';
