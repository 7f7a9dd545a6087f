/** Sends `total` POST /orders requests, `concurrency` at a time; returns the status counts. */
export async function postOrders(baseUrl: string, total: number, concurrency = 8): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let sent = 0;
  const lane = async () => {
    while (sent < total) {
      sent++;
      const response = await fetch(`${baseUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: ['book'] }),
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return statuses;
}
