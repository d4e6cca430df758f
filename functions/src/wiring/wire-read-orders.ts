import { loadConfig } from '../config';
import type { ReadOrdersHandlerDeps } from '../handlers/read-orders';
import { auditSigner, orderList, orderRepository } from './stores';
import { systemClock } from './system';

/** Reads only: the table, and the audit key to verify chain heads with. */
export function wireReadOrders(env: NodeJS.ProcessEnv = process.env): ReadOrdersHandlerDeps {
  const config = loadConfig(env, ['agencyClients']);
  const chainSigner = auditSigner(config);
  return {
    orders: orderRepository(config, chainSigner),
    orderList: orderList(config),
    chainSigner,
    clock: systemClock,
    agencyClients: config.agencyClients,
  };
}
