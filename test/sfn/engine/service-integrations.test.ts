import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { createMachine, waitForStatus } from './engine-test-kit';

/** A DynamoDB JSON 1.0 endpoint that knows one item and refuses conditional writes. */
let dynamodb: Server;
let dynamodbEndpoint = '';
const received: { target: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  dynamodb = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ target, body });
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target.endsWith('.GetItem')) {
        response.end(JSON.stringify({ Item: { pk: { S: 'ORDER#1' }, status: { S: 'OPEN' } } }));
      } else if (target.endsWith('.PutItem') && body.ConditionExpression) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
          }),
        );
      } else {
        response.end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => dynamodb.listen(0, '127.0.0.1', resolve));
  dynamodbEndpoint = `http://127.0.0.1:${(dynamodb.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => dynamodb.close(() => resolve()));
});

describe('optimized DynamoDB integrations', () => {
  it('reads an item with dynamodb:getItem and names DynamoDB errors DynamoDB.<Exception>', async () => {
    const engine = await createEngine({ dataPath: ':memory:', dynamodbEndpoint });
    try {
      const machineArn = await createMachine(engine, 'Dynamo', {
        QueryLanguage: 'JSONata',
        StartAt: 'Read',
        States: {
          Read: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:getItem',
            Arguments: { TableName: 'orders', Key: { pk: { S: '{% $states.input.pk %}' } } },
            Output: '{% $states.result.Item.status.S %}',
            Next: 'Write',
          },
          Write: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:putItem',
            Arguments: {
              TableName: 'orders',
              Item: { pk: { S: 'ORDER#1' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
            Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'AlreadyThere' }],
            End: true,
          },
          AlreadyThere: { Type: 'Pass', Output: { error: '{% $states.input.Error %}' }, End: true },
        },
      });
      const { executionArn } = await engine.dispatch('StartExecution', {
        stateMachineArn: machineArn,
        input: JSON.stringify({ pk: 'ORDER#1' }),
      });
      const described = await waitForStatus(engine, String(executionArn));
      expect(JSON.parse(String(described.output))).toEqual({
        error: 'DynamoDB.ConditionalCheckFailedException',
      });
      expect(received[0]).toEqual({
        target: 'DynamoDB_20120810.GetItem',
        body: { TableName: 'orders', Key: { pk: { S: 'ORDER#1' } } },
      });
    } finally {
      await engine.close();
    }
  });
});
