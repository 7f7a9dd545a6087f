// Messaging: is every message getting through, and where does it wait? The services' side
// (sent, consumed, handling time, retries, dead letters, duplicates, the outbox) comes from
// their own metrics; the broker's side (queue depth, consumers, its message rates) from
// RabbitMQ's rabbitmq_prometheus plugin, scraped per object so every queue keeps its series.
import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { AxisPlacement, GraphDrawStyle, LineInterpolation } from '@grafana/grafana-foundation-sdk/common';
import { hopscopeDashboard } from '../hopscope-dashboard.ts';
import { prom } from '../queries.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { labelVariable } from '../variables.ts';
import { timeseries } from '../panels.ts';
import { zeroWhereAbsent } from '../promql.ts';

const SERVICE = 'service_name=~"$service"';
const DESTINATION = 'messaging_destination_name=~"$destination"';
const QUEUE = 'queue=~"$queue"';

/** Consumed messages per service and destination: what an absent redelivery counter is 0 for. */
const CONSUMED_RATE = `sum by (service_name, messaging_destination_name) (rate(messaging_client_consumed_messages_total{${SERVICE}, ${DESTINATION}}[$__rate_interval]))`;

export function messagingDashboard(): Dashboard {
  return hopscopeDashboard({
    uid: DASHBOARD_UIDS.messaging,
    title: 'Messaging',
    description:
      'Are messages getting through? Sent and consumed per destination, handling time, retries, dead letters, duplicates, the outbox, and the broker’s queues.',
  })
    .withVariable(labelVariable('service', 'service_name', 'messaging_client_consumed_messages_total'))
    .withVariable(
      labelVariable('destination', 'messaging_destination_name', 'messaging_client_consumed_messages_total'),
    )
    .withVariable(labelVariable('queue', 'queue', 'rabbitmq_queue_messages_ready'))

    .withRow(new RowBuilder('Messages by destination (the services’ spans)'))
    .withPanel(
      timeseries({
        title: 'Messages sent per second',
        description:
          'Messages each service published, by destination: the exchange, or the queue for a message sent straight to one (a retry, a dead letter). A PRODUCER span each.',
        unit: 'mps',
        span: 8,
      }).withTarget(
        prom(
          `sum by (service_name, messaging_destination_name) (rate(messaging_client_sent_messages_total{${SERVICE}, ${DESTINATION}}[$__rate_interval]))`,
          '{{service_name}} → {{messaging_destination_name}}',
        ),
      ),
    )
    .withPanel(
      timeseries({
        title: 'Messages consumed per second',
        description: 'Messages each service handled, by destination (a CONSUMER span each, failed or not).',
        unit: 'mps',
        span: 8,
      }).withTarget(
        prom(
          `sum by (service_name, messaging_destination_name) (rate(messaging_client_consumed_messages_total{${SERVICE}, ${DESTINATION}}[$__rate_interval]))`,
          '{{messaging_destination_name}} → {{service_name}}',
        ),
      ),
    )
    .withPanel(
      timeseries({
        title: 'Message handling time p95',
        description:
          'How long handling one message takes (95th percentile), by destination. A slow consumer shows here before its queue grows.',
        unit: 's',
        span: 8,
      }).withTarget(
        prom(
          `histogram_quantile(0.95, sum by (le, service_name, messaging_destination_name) (rate(messaging_process_duration_seconds_bucket{${SERVICE}, ${DESTINATION}}[$__rate_interval])))`,
          '{{messaging_destination_name}} → {{service_name}}',
        ),
      ),
    )

    .withRow(new RowBuilder('Failures and repeats: retries, redeliveries, dead letters, duplicates'))
    .withPanel(
      timeseries({
        title: 'Retried messages per second',
        description:
          'Messages whose handling failed and that were sent back to their queue for another attempt, by queue. A message that fails every attempt is dead-lettered.',
        unit: 'mps',
      }).withTarget(
        prom(
          `sum by (service_name, messaging_destination_name) (rate(hopscope_messaging_retried_messages_total{${SERVICE}, ${DESTINATION}}[$__rate_interval]))`,
          '{{messaging_destination_name}} → {{service_name}}',
        ),
      ),
    )
    .withPanel(
      timeseries({
        title: 'Redelivered messages per second',
        description:
          'Messages the broker delivered again because their consumer never acked them (its connection or process died). 0 where none was; the broker-outage and orchestrator-crash scenarios make some.',
        unit: 'mps',
      }).withTarget(
        prom(
          // No scenario of a normal run makes a redelivery, so the counter is often not born yet.
          zeroWhereAbsent(
            `sum by (service_name, messaging_destination_name) (rate(hopscope_messaging_redelivered_messages_total{${SERVICE}, ${DESTINATION}}[$__rate_interval]))`,
            CONSUMED_RATE,
            ['service_name', 'messaging_destination_name'],
          ),
          '{{messaging_destination_name}} → {{service_name}}',
        ),
      ),
    )
    .withPanel(
      timeseries({
        title: 'Dead-lettered messages',
        description:
          'Messages given up on after their last attempt, by queue and error (total since the service started), and how many wait on each dead-letter queue for a human.',
        unit: 'short',
      })
        .decimals(0)
        .lineInterpolation(LineInterpolation.StepAfter)
        .withTarget(
          prom(
            `sum by (messaging_destination_name, error_type) (hopscope_messaging_dead_lettered_messages_total{${SERVICE}, ${DESTINATION}})`,
            '{{messaging_destination_name}} ({{error_type}})',
          ),
        )
        .withTarget(
          prom(
            `sum by (queue) (rabbitmq_queue_messages{${QUEUE}, queue=~".+\\\\.dead-letter"})`,
            'waiting on {{queue}}',
            'B',
          ),
        ),
    )
    .withPanel(
      timeseries({
        title: 'Duplicates caught by idempotent consumers',
        description:
          'Deliveries an idempotent consumer recognised by message id and skipped (total since the service started): at-least-once delivery at work, charged once.',
        unit: 'short',
      })
        .decimals(0)
        .lineInterpolation(LineInterpolation.StepAfter)
        .withTarget(
          prom(
            `sum by (service_name, consumer) (hopscope_idempotent_duplicates_total{${SERVICE}})`,
            '{{service_name}} / {{consumer}}',
          ),
        ),
    )

    .withRow(new RowBuilder('Transactional outbox'))
    .withPanel(
      timeseries({
        title: 'Outbox pending rows and relay lag',
        description:
          'Rows written with their business change and not yet published (left), and how long a row waits until the broker confirms it (p95, right). Both climb while the broker is away and drain once it is back.',
        unit: 'short',
      })
        .withTarget(
          prom(
            `sum by (service_name, table) (hopscope_outbox_pending_messages{${SERVICE}})`,
            'pending {{service_name}} / {{table}}',
          ),
        )
        .withTarget(
          prom(
            `histogram_quantile(0.95, sum by (le, service_name, table) (rate(hopscope_outbox_relay_lag_seconds_bucket{${SERVICE}}[$__rate_interval])))`,
            'lag p95 {{service_name}} / {{table}}',
            'B',
          ),
        )
        .overrideByQuery('B', [
          { id: 'unit', value: 's' },
          { id: 'custom.axisPlacement', value: AxisPlacement.Right },
        ]),
    )
    .withPanel(
      timeseries({
        title: 'Outbox rows published and failed relay batches per second',
        description:
          'Rows the relay published and the broker confirmed, and relay batches that failed (broker or database unreachable; their rows stay pending and are retried).',
        unit: 'short',
      })
        .axisLabel('per second')
        .withTarget(
          prom(
            `sum by (service_name, table) (rate(hopscope_outbox_published_total{${SERVICE}}[$__rate_interval]))`,
            'published {{service_name}} / {{table}}',
          ),
        )
        .withTarget(
          prom(
            // Only an unreachable broker or database fails a batch: in a healthy run the counter
            // is never born, and the truthful answer is 0 per outbox.
            zeroWhereAbsent(
              `sum by (service_name, table) (rate(hopscope_outbox_publish_failures_total{${SERVICE}}[$__rate_interval]))`,
              `sum by (service_name, table) (rate(hopscope_outbox_published_total{${SERVICE}}[$__rate_interval]))`,
              ['service_name', 'table'],
            ),
            'failed batches {{service_name}} / {{table}}',
            'B',
          ),
        )
        .overrideByQuery('B', [{ id: 'custom.drawStyle', value: GraphDrawStyle.Bars }]),
    )

    .withRow(new RowBuilder('The broker (RabbitMQ)'))
    .withPanel(
      timeseries({
        title: 'Queue depth, ready and unacked',
        description:
          'Messages waiting on each queue to be delivered (ready) and delivered but not yet acknowledged (unacked). A queue that only grows has a consumer too slow or gone.',
        unit: 'short',
      })
        .decimals(0)
        .withTarget(prom(`sum by (queue) (rabbitmq_queue_messages_ready{${QUEUE}})`, '{{queue}} ready'))
        .withTarget(prom(`sum by (queue) (rabbitmq_queue_messages_unacked{${QUEUE}})`, '{{queue}} unacked', 'B')),
    )
    .withPanel(
      timeseries({
        title: 'Consumers per queue',
        description: 'Consumers subscribed to each queue. 0 on a queue that should be read means nobody is reading it.',
        unit: 'short',
      })
        .decimals(0)
        .withTarget(prom(`sum by (queue) (rabbitmq_queue_consumers{${QUEUE}})`, '{{queue}}')),
    )
    .withPanel(
      timeseries({
        title: 'Broker publish, deliver and ack rates',
        description:
          'Messages per second routed into the selected queues, delivered from them to consumers, acknowledged, and delivered again (redelivered), as the broker counts them. Pick a queue to see one.',
        unit: 'mps',
        span: 24,
      })
        .withTarget(prom(`sum(rate(rabbitmq_queue_messages_published_total{${QUEUE}}[$__rate_interval]))`, 'published'))
        .withTarget(
          prom(
            // The broker counts deliveries to manual-ack (_ack_total) and auto-ack consumers apart,
            // both on every channel that consumes a queue.
            `sum(rate(rabbitmq_channel_messages_delivered_ack_total{${QUEUE}}[$__rate_interval])) + sum(rate(rabbitmq_channel_messages_delivered_total{${QUEUE}}[$__rate_interval]))`,
            'delivered',
            'B',
          ),
        )
        .withTarget(
          prom(`sum(rate(rabbitmq_channel_messages_acked_total{${QUEUE}}[$__rate_interval]))`, 'acknowledged', 'C'),
        )
        .withTarget(
          prom(
            `sum(rate(rabbitmq_channel_messages_redelivered_total{${QUEUE}}[$__rate_interval]))`,
            'redelivered',
            'D',
          ),
        ),
    )
    .build();
}
