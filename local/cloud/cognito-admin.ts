/**
 * The Cognito Identity Provider API (AWS JSON 1.1, `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`) on the
 * local AWS endpoint, for what the functions create at run time: one action table, keyed by action name, so that
 * other actions (users, groups) join it from files of their own (`createCognitoAdmin(cognito, moreActions)`).
 */
import { randomBytes } from 'node:crypto';
import {
  type ActionHandler,
  AwsApiError,
  actionTable,
  type JsonObject,
  requiredString,
  serveAwsJson,
} from './aws-json';
import type { LocalCognito } from './cognito';
import type { RuntimeClient } from './cognito-runtime-clients';
import type { RequestHandler } from './http-util';

export const COGNITO_TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
const OAUTH_FLOWS = new Set(['code', 'implicit', 'client_credentials']);

/** The pool by id, or AWS's ResourceNotFoundException. */
export function userPoolOf(cognito: LocalCognito, input: JsonObject) {
  const userPoolId = requiredString(input, 'UserPoolId');
  const pool = cognito.userPools.find((candidate) => candidate.id === userPoolId);
  if (!pool) throw new AwsApiError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
  return pool;
}

function stringList(input: JsonObject, key: string): string[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string'))
    throw new AwsApiError('InvalidParameterException', `${key} must be a list of strings`);
  return value as string[];
}

/** The UserPoolClient shape Cognito answers with (the secret only where it exists). */
function clientDescription(client: RuntimeClient): JsonObject {
  return {
    UserPoolId: client.userPoolId,
    ClientName: client.clientName,
    ClientId: client.clientId,
    ...(client.clientSecret ? { ClientSecret: client.clientSecret } : {}),
    AllowedOAuthFlows: client.flows,
    AllowedOAuthScopes: client.scopes,
    AllowedOAuthFlowsUserPoolClient: client.flows.length > 0,
    CreationDate: client.createdAt,
    LastModifiedDate: client.createdAt,
  };
}

function createUserPoolClient(cognito: LocalCognito, input: JsonObject): JsonObject {
  const pool = userPoolOf(cognito, input);
  const clientName = requiredString(input, 'ClientName');
  if (clientName.length > 128) throw new AwsApiError('InvalidParameterException', 'ClientName is too long');
  const flows = stringList(input, 'AllowedOAuthFlows');
  const scopes = stringList(input, 'AllowedOAuthScopes');
  const unknownFlow = flows.find((flow) => !OAUTH_FLOWS.has(flow));
  if (unknownFlow) throw new AwsApiError('InvalidParameterException', `Unknown OAuth flow ${unknownFlow}`);
  const known = new Set(pool.resourceServers.flatMap((server) => server.scopes));
  const unknownScope = scopes.find((scope) => !known.has(scope));
  if (unknownScope)
    throw new AwsApiError('ScopeDoesNotExistException', `Invalid scope requested: ${unknownScope}`);
  const generateSecret = input.GenerateSecret === true;
  if (flows.includes('client_credentials') && !generateSecret) {
    throw new AwsApiError(
      'InvalidOAuthFlowException',
      'client_credentials flow can not be selected if client does not have a client secret.',
    );
  }
  if (flows.length > 0 && input.AllowedOAuthFlowsUserPoolClient !== true) {
    throw new AwsApiError(
      'InvalidParameterException',
      'AllowedOAuthFlowsUserPoolClient must be true to use OAuth flows',
    );
  }
  const client: RuntimeClient = {
    // Cognito's ids: 26 lower-case alphanumerics; secrets: 51 of them.
    clientId: randomBytes(20)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 26),
    clientSecret: generateSecret ? randomBytes(39).toString('base64url').toLowerCase().slice(0, 51) : null,
    clientName,
    userPoolId: pool.id,
    scopes,
    flows,
    createdAt: Math.floor(Date.now() / 1000),
  };
  cognito.addClient(client);
  return { UserPoolClient: clientDescription(client) };
}

function existingClient(cognito: LocalCognito, input: JsonObject): RuntimeClient {
  const pool = userPoolOf(cognito, input);
  const clientId = requiredString(input, 'ClientId');
  const client = cognito.getClient(pool.id, clientId);
  if (!client)
    throw new AwsApiError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return client;
}

/** The app client actions: created ones are kept by the local Cognito and get tokens from `/oauth2/token`. */
export function appClientActions(cognito: LocalCognito): Record<string, ActionHandler> {
  return {
    CreateUserPoolClient: (input) => createUserPoolClient(cognito, input),
    DescribeUserPoolClient: (input) => ({
      UserPoolClient: clientDescription(existingClient(cognito, input)),
    }),
    DeleteUserPoolClient: (input) => {
      const client = existingClient(cognito, input);
      if (!cognito.deleteClient(client.userPoolId, client.clientId)) {
        throw new AwsApiError(
          'InvalidParameterException',
          'The clients of the template belong to the stack; only clients created at run time can be deleted',
        );
      }
      return {};
    },
  };
}

/** Serves the action table (the app client actions, and any given) on the AWS endpoint. */
export function createCognitoAdmin(
  cognito: LocalCognito,
  moreActions: Record<string, ActionHandler> = {},
): { handle: RequestHandler; actions: Record<string, ActionHandler> } {
  const actions = { ...appClientActions(cognito), ...moreActions };
  const dispatch = actionTable(actions);
  return {
    actions,
    handle: (request, response) =>
      serveAwsJson(
        request,
        response,
        COGNITO_TARGET_PREFIX,
        'application/x-amz-json-1.1',
        async (action, input) => dispatch(action, input),
      ),
  };
}
