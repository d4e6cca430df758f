import { type Api, ApiProblem, encode } from './api';
import type { OrderList, OrderSummary, OrderView } from './types';

/**
 * The search box: an order id first (one direct GET), else the agency's `reference`, else an item's `locator`.
 * Returns the orders found (one → the page opens it).
 */
export async function findOrders(api: Api, query: string): Promise<OrderSummary[]> {
  const text = query.trim();
  if (text === '') return [];
  if (!/[\s/?#]/.test(text)) {
    try {
      return [await api.get<OrderView>(`/v1/takedown-requests/${encode(text)}`)];
    } catch (error) {
      if (!(error instanceof ApiProblem) || (error.status !== 404 && error.status !== 400)) throw error;
    }
  }
  const byReference = await api.get<OrderList>('/v1/takedown-requests', { reference: text, limit: 25 });
  if (byReference.items.length > 0) return byReference.items;
  return (await api.get<OrderList>('/v1/takedown-requests', { locator: text, limit: 25 })).items;
}
