// Messages put onto a real queue of the demo, as the two message faults of a scenario:
//   poison     messages the queue's consumer can never process (valid JSON under a type it
//              handles, failing that type's contract): it retries them, dead-letters them to
//              `<queue>.dead-letter` with the reason, and goes on with the next message
//   duplicate  copies (same message id, body and headers) of messages the consumer already
//              processed, taken from the producing service's outbox: its idempotent consumer
//              must skip them (the effect happens once) and count each in
//              hopscope_idempotent_duplicates_total
// Both go straight to the queue (the default exchange), not through the topic exchange: a
// copy of an event must not reach the event's other subscribers.
import { HEADER_MESSAGE_TYPE, QUEUES, type QueueName, Topology, databaseName } from '@hopscope/demo-shared';
import { MESSAGES, isMessageType } from '@hopscope/demo-shared/contracts';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
// Not exported by the package (yet): the topology's bindings and the database naming rule.

export interface InjectOptions {
  /** The demo's broker, e.g. amqp://guest:guest@127.0.0.1:5672. */
  amqpUrl: string;
  /** The demo's namespace (`shop` by default): queues are `<namespace>.<queue>`. */
  namespace: string;
  /** The queue without the namespace, e.g. `payments.commands`. */
  queue: string;
  /** How many messages. 1-1000. */
  count: number;
}

export interface InjectDuplicateOptions extends InjectOptions {
  /** The demo's PostgreSQL server (any database on it): each service's is `<namespace>_<service>`. */
  databaseUrl: string;
}

const NAMESPACE = /^[a-z][a-z0-9_]{0,30}$/;
const MAX_COUNT = 1000;
/** The idempotent consumers' table; each consumer is named after its queue. */
const PROCESSED_TABLE = 'hopscope_processed_messages';
/** How far back in an outbox a message to duplicate is looked for. */
const RECENT_ROWS = 500;

/** Publishes `count` poison messages onto the queue; returns their message ids. */
export async function injectPoison(options: InjectOptions): Promise<string[]> {
  const queue = checkOptions(options);
  const type = QUEUES[queue].bindings[0];
  const messages = Array.from({ length: options.count }, () => {
    const messageId = randomUUID();
    // Valid JSON and the right version, but none of the type's fields and one it does not
    // know: the contract refuses it (a ContractError), so it takes the poison path, not a crash.
    const body = { v: 1, chaosPoison: messageId };
    if (MESSAGES[type].safeParse(body).success) throw new Error(`a poison ${type} would pass its contract`);
    return { messageId, content: Buffer.from(JSON.stringify(body)), headers: { [HEADER_MESSAGE_TYPE]: type } };
  });
  await sendToQueue(options.amqpUrl, new Topology(options.namespace).queue(queue), messages, 'application/json');
  return messages.map((m) => m.messageId);
}

/**
 * Re-publishes `count` messages the queue's consumer already processed (the most recent ones
 * first; fewer processed than `count`: some are sent more than once). Returns the message ids
 * sent, one per copy. Throws when the consumer has processed none yet.
 */
export async function injectDuplicate(options: InjectDuplicateOptions): Promise<string[]> {
  const queue = checkOptions(options);
  const types: string[] = [...QUEUES[queue].bindings];
  const consumerService = queue.slice(0, queue.indexOf('.'));
  const consumerDb = databaseName({ namespace: options.namespace, service: consumerService });
  const admin = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  let databases: string[];
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' ORDER BY datname",
      [options.namespace],
    );
    databases = rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
  if (!databases.includes(consumerDb)) {
    throw new Error(`no database ${consumerDb}: is ${consumerService} running in namespace ${options.namespace}?`);
  }

  // Candidates: what the producers sent to this queue's types, newest first.
  const sent: OutboxRow[] = [];
  for (const database of databases) sent.push(...(await sentMessages(options.databaseUrl, database, types)));
  sent.sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
  const processed = await processedIds(
    options.databaseUrl,
    consumerDb,
    queue,
    sent.map((row) => row.message_id),
  );
  const candidates = sent.filter((row) => processed.has(row.message_id));
  if (candidates.length === 0) {
    throw new Error(
      `nothing to duplicate: ${consumerService} has processed no message on ${options.namespace}.${queue} yet ` +
        `(looked for ${types.join(', ')} sent from an outbox in ${databases.join(', ')}). Let some traffic through first.`,
    );
  }
  const copies = Array.from({ length: options.count }, (_, i) => candidates[i % candidates.length]);
  await sendToQueue(
    options.amqpUrl,
    new Topology(options.namespace).queue(queue),
    copies.map((row) => ({ messageId: row.message_id, content: row.content, headers: row.headers })),
    undefined,
    copies.map((row) => row.content_type),
  );
  return copies.map((row) => row.message_id);
}

function checkOptions(options: InjectOptions): QueueName {
  if (!NAMESPACE.test(options.namespace)) {
    throw new Error(`namespace ${JSON.stringify(options.namespace)}: must match ${String(NAMESPACE)}`);
  }
  if (!Object.hasOwn(QUEUES, options.queue)) {
    throw new Error(`unknown queue ${JSON.stringify(options.queue)}; the demo's: ${Object.keys(QUEUES).join(', ')}`);
  }
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > MAX_COUNT) {
    throw new Error(`count ${options.count}: must be a whole number from 1 to ${MAX_COUNT}`);
  }
  return options.queue as QueueName;
}

interface OutboxRow {
  message_id: string;
  content: Buffer;
  content_type: string | null;
  headers: Record<string, unknown>;
  created_at: Date;
}

/** Messages of `types` an outbox in `database` has sent (none when it has no outbox). */
async function sentMessages(databaseUrl: string, database: string, types: string[]): Promise<OutboxRow[]> {
  return withDatabase(databaseUrl, database, async (client) => {
    const { rows: exists } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('outbox') IS NOT NULL AS present",
    );
    if (!exists[0]?.present) return [];
    const { rows } = await client.query<OutboxRow>(
      `SELECT message_id, content, content_type, headers, created_at FROM outbox
       WHERE sent_at IS NOT NULL AND routing_key = ANY($1) ORDER BY id DESC LIMIT ${RECENT_ROWS}`,
      [types],
    );
    // Only messages the consumer can tell apart by type (the header the relay sent).
    return rows.filter((row) => {
      const type = row.headers[HEADER_MESSAGE_TYPE];
      return typeof type === 'string' && isMessageType(type);
    });
  });
}

async function processedIds(databaseUrl: string, database: string, consumer: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  return withDatabase(databaseUrl, database, async (client) => {
    const { rows: exists } = await client.query<{ present: boolean }>(
      `SELECT to_regclass('${PROCESSED_TABLE}') IS NOT NULL AS present`,
    );
    if (!exists[0]?.present) return new Set<string>();
    const { rows } = await client.query<{ message_id: string }>(
      `SELECT message_id FROM ${PROCESSED_TABLE} WHERE consumer = $1 AND message_id = ANY($2)`,
      [consumer, ids],
    );
    return new Set(rows.map((r) => r.message_id));
  });
}

async function withDatabase<T>(databaseUrl: string, database: string, work: (client: pg.Client) => Promise<T>) {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Outgoing {
  messageId: string;
  content: Buffer;
  headers: Record<string, unknown>;
}

/** Sends to the queue itself with publisher confirms: resolves once the broker holds them all. */
async function sendToQueue(
  amqpUrl: string,
  queue: string,
  messages: Outgoing[],
  contentType: string | undefined,
  contentTypes: Array<string | null> = [],
): Promise<void> {
  const connection = await amqp.connect(amqpUrl, { timeout: 5000 });
  try {
    const channel = await connection.createConfirmChannel();
    // The broker closes the channel on a missing queue; the call's rejection reports it.
    channel.on('error', () => undefined);
    // Never declare it: a queue that does not exist means the demo is not running there.
    await channel.checkQueue(queue).catch((error: unknown) => {
      throw new Error(`no queue ${queue} on the broker: is the demo running in that namespace?`, { cause: error });
    });
    messages.forEach((message, i) => {
      channel.sendToQueue(queue, message.content, {
        messageId: message.messageId,
        contentType: contentTypes[i] ?? contentType ?? 'application/json',
        persistent: true,
        headers: message.headers,
      });
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close().catch(() => undefined);
  }
}
