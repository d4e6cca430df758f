/** Steps of the local cloud's start that read or write outside the services: the sandbox platform's registration,
 * state machine registration, and what the progress log and local.json need from the template and the table. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { StepFunctionsEngine } from '../sfn/service-api';
import type { OrderParties } from './progress-log';

export const SANDBOX_PLATFORM_ID = 'michat-sandbox';

export class LocalCloudStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalCloudStartError';
  }
}

/**
 * The sandbox platform's secrets: kept in the data dir after the first registration; registered through the
 * operator API on first start (or rotated when the platform exists but the secrets file was lost).
 */
/** The sandbox platform's app client for the platform-side API, as the registration answered it once. */
export interface SandboxMachineClient {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

export async function sandboxSecrets(input: {
  path: string;
  apiUrl: string;
  webhookUrl: string;
  operatorToken: string;
}): Promise<{ notificationSecret: string; responseSecret: string; machineClient?: SandboxMachineClient }> {
  if (existsSync(input.path)) {
    return JSON.parse(readFileSync(input.path, 'utf8')) as {
      notificationSecret: string;
      responseSecret: string;
      machineClient?: SandboxMachineClient;
    };
  }
  const headers = { authorization: `Bearer ${input.operatorToken}`, 'content-type': 'application/json' };
  let response = await fetch(`${input.apiUrl}/v1/platforms`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      id: SANDBOX_PLATFORM_ID,
      name: 'MiChat sandbox (local cloud)',
      webhookUrl: input.webhookUrl,
      contactEmail: 'sandbox@localhost.localdomain',
    }),
  });
  if (response.status === 409) {
    response = await fetch(`${input.apiUrl}/v1/platforms/${SANDBOX_PLATFORM_ID}/secret-rotation`, {
      method: 'POST',
      headers,
      body: '{}',
    });
  }
  const body = (await response.json()) as {
    notificationSecret?: string;
    responseSecret?: string;
    machineClient?: SandboxMachineClient;
  };
  if (!response.ok || !body.notificationSecret || !body.responseSecret) {
    throw new LocalCloudStartError(
      `could not register ${SANDBOX_PLATFORM_ID}: ${response.status} ${JSON.stringify(body)}`,
    );
  }
  // The app client comes with a first registration only (a rotation after a 409 has none to give).
  const secrets = {
    notificationSecret: body.notificationSecret,
    responseSecret: body.responseSecret,
    ...(body.machineClient ? { machineClient: body.machineClient } : {}),
  };
  writeFileSync(input.path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export async function registerStateMachine(
  engine: StepFunctionsEngine,
  machine: { name: string; arn: string; definition: string; roleArn: string; type: string },
): Promise<void> {
  try {
    await engine.dispatch('CreateStateMachine', {
      name: machine.name,
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
    });
  } catch (error) {
    if ((error as { code?: string }).code !== 'StateMachineAlreadyExists') throw error;
    // A restart on the same data: keep the machine (and its executions), take the template's definition.
    await engine.dispatch('UpdateStateMachine', {
      stateMachineArn: machine.arn,
      definition: machine.definition,
      roleArn: machine.roleArn,
    });
  }
}

/** Reads an order's agency and platform from its marker (`ORDER#<id>` / `ORDER`) for the progress log. */
export function orderLookup(
  endpoint: string,
  tableName: string | undefined,
): ((orderId: string) => Promise<OrderParties | undefined>) | undefined {
  if (!tableName) return undefined;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return async (orderId) => {
    const result = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'ORDER' } },
        ProjectionExpression: 'agencyId, platformId',
      }),
    );
    return result.Item
      ? { agencyId: result.Item.agencyId?.S, platformId: result.Item.platformId?.S }
      : undefined;
  };
}

/** Merges the `{ clientId: agencyId }` maps the functions carry (e.g. `AGENCY_CLIENTS`). */
export function agencyClients(values: (string | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const value of values) {
    if (!value) continue;
    try {
      Object.assign(merged, JSON.parse(value));
    } catch {
      // not a JSON map: ignore
    }
  }
  return merged;
}
