// Attribute keys we read or write. Stable semantic conventions first; the older keys that
// some instrumentations still emit (amqplib, http in its default mode) are read as fallbacks.

export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const OLD_ATTR_HTTP_METHOD = 'http.method';
export const OLD_ATTR_HTTP_STATUS_CODE = 'http.status_code';
export const OLD_ATTR_NET_PEER_NAME = 'net.peer.name';
export const OLD_ATTR_NET_PEER_PORT = 'net.peer.port';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_MESSAGE_CONVERSATION_ID = 'messaging.message.conversation_id';
export const ATTR_MESSAGING_RABBITMQ_ROUTING_KEY = 'messaging.rabbitmq.destination.routing_key';
export const OLD_ATTR_MESSAGING_DESTINATION = 'messaging.destination';
export const OLD_ATTR_MESSAGING_RABBITMQ_ROUTING_KEY = 'messaging.rabbitmq.routing_key';
/** No convention exists for AMQP's redelivered flag; ours, in the rabbitmq namespace. */
export const ATTR_MESSAGING_RABBITMQ_REDELIVERED = 'messaging.rabbitmq.message.redelivered';
