// What shipping decides, one function per event it reacts to. Shipping takes part in two
// flows without anyone orchestrating it (choreography): a confirmed order gets a shipment, and
// in the cancel-order saga it is the last participant: once the payment is refunded it cancels
// the shipment, and that completes the saga.

export type ShipmentStatus = 'scheduled' | 'cancelled';

export interface Shipment {
  orderId: string;
  shipmentId: string;
  status: ShipmentStatus;
}

/** The order's shipment after the event, and whether the event changed it (changes are stored and announced). */
export interface ShipmentChange {
  shipment: Shipment;
  changed: boolean;
}

/**
 * order.confirmed: schedule the order's shipment, once. A shipment that already exists stays as
 * it is: scheduled means this confirmation was seen before; cancelled means the refund of a
 * cancellation overtook the confirmation, and a cancelled order must not ship.
 */
export function scheduleShipment(
  existing: Shipment | undefined,
  orderId: string,
  newShipmentId: string,
): ShipmentChange {
  if (existing) return { shipment: existing, changed: false };
  return { shipment: { orderId, shipmentId: newShipmentId, status: 'scheduled' }, changed: true };
}

/**
 * payment.refunded (cancel-order saga): cancel the order's shipment. When there is none yet (the
 * confirmation is still on its way) a cancelled one is recorded, so that the late confirmation
 * does not schedule it. Cancelling twice changes nothing, so the saga is ended only once.
 */
export function cancelShipment(existing: Shipment | undefined, orderId: string, newShipmentId: string): ShipmentChange {
  if (!existing) return { shipment: { orderId, shipmentId: newShipmentId, status: 'cancelled' }, changed: true };
  if (existing.status === 'cancelled') return { shipment: existing, changed: false };
  return { shipment: { ...existing, status: 'cancelled' }, changed: true };
}
