/**
 * App clients created at run time (`CreateUserPoolClient` on the local AWS endpoint), kept in the data dir (0600) so
 * that they and their secrets survive a restart, as the template's clients do.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RuntimeClient {
  clientId: string;
  clientSecret: string | null;
  clientName: string;
  userPoolId: string;
  scopes: string[];
  flows: string[];
  /** Epoch seconds, as Cognito reports CreationDate. */
  createdAt: number;
}

export interface RuntimeClientStore {
  list(): RuntimeClient[];
  put(client: RuntimeClient): void;
  remove(clientId: string): boolean;
}

export function createRuntimeClientStore(directory: string): RuntimeClientStore {
  const path = join(directory, 'runtime-clients.json');
  const clients = new Map<string, RuntimeClient>(
    existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as RuntimeClient[]).map((client) => [client.clientId, client])
      : [],
  );
  const save = () => {
    writeFileSync(path, JSON.stringify([...clients.values()], null, 2), { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  return {
    list: () => [...clients.values()],
    put: (client) => {
      clients.set(client.clientId, client);
      save();
    },
    remove: (clientId) => {
      const removed = clients.delete(clientId);
      if (removed) save();
      return removed;
    },
  };
}
