import {
  ConflictException,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  ResourceNotFound,
  SFNClient,
  StartExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { type SfnServer, startSfnServer } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { temporaryDatabasePath, waitForStatus } from '../engine/engine-test-kit';

const ROLE = 'arn:aws:iam::123456789012:role/test';
const passing = (result: string) =>
  JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

describe.each([
  ['in memory', () => ':memory:'],
  ['SQLite file', temporaryDatabasePath],
])('versions, aliases, tags and validation with the AWS SDK (%s)', (_label, dataPath) => {
  let engine: StepFunctionsEngine;
  let server: SfnServer;
  let client: SFNClient;

  beforeAll(async () => {
    engine = await createEngine({ dataPath: dataPath(), accountId: '123456789012' });
    server = await startSfnServer({ engine, port: 0 });
    client = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await engine.close();
  });

  it('publishes versions, describes one, and routes an alias between two by weight', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'versioned',
        definition: passing('one'),
        roleArn: ROLE,
        publish: true,
      }),
    );
    const machineArn = created.stateMachineArn ?? '';
    expect(created.stateMachineVersionArn).toBe(`${machineArn}:1`);
    // Nothing changed since version 1: publishing again answers with it.
    const again = await client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }));
    expect(again.stateMachineVersionArn).toBe(`${machineArn}:1`);

    const updated = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: passing('two') }),
    );
    await expect(
      client.send(
        new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, revisionId: 'stale' }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    const v2 = await client.send(
      new PublishStateMachineVersionCommand({
        stateMachineArn: machineArn,
        revisionId: updated.revisionId,
        description: 'second',
      }),
    );
    expect(v2.stateMachineVersionArn).toBe(`${machineArn}:2`);
    expect(v2.creationDate).toBeInstanceOf(Date);

    const described = await client.send(
      new DescribeStateMachineCommand({ stateMachineArn: `${machineArn}:1` }),
    );
    expect(described.stateMachineArn).toBe(`${machineArn}:1`);
    expect(JSON.parse(described.definition ?? '{}').States.P.Result).toBe('one');
    const versions = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }));
    expect(versions.stateMachineVersions?.map((v) => v.stateMachineVersionArn)).toEqual([
      `${machineArn}:2`,
      `${machineArn}:1`,
    ]);

    const alias = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [
          { stateMachineVersionArn: `${machineArn}:1`, weight: 100 },
          { stateMachineVersionArn: `${machineArn}:2`, weight: 0 },
        ],
      }),
    );
    const aliasArn = alias.stateMachineAliasArn ?? '';
    expect(aliasArn).toBe(`${machineArn}:live`);
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: aliasArn }));
    const done = await waitForStatus(engine, started.executionArn ?? '');
    expect(done.output).toBe('"one"');
    const viaSdk = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(viaSdk.stateMachineAliasArn).toBe(aliasArn);
    expect(viaSdk.stateMachineVersionArn).toBe(`${machineArn}:1`);
    expect(viaSdk.stateMachineArn).toBe(machineArn);

    await client.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:2`, weight: 100 }],
      }),
    );
    const second = await client.send(new StartExecutionCommand({ stateMachineArn: aliasArn }));
    expect((await waitForStatus(engine, second.executionArn ?? '')).output).toBe('"two"');
    const throughAlias = await client.send(new ListExecutionsCommand({ stateMachineArn: aliasArn }));
    expect(throughAlias.executions).toHaveLength(2);
    const throughV1 = await client.send(new ListExecutionsCommand({ stateMachineArn: `${machineArn}:1` }));
    expect(throughV1.executions?.map((e) => e.executionArn)).toEqual([started.executionArn]);

    const aliasDescribed = await client.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }),
    );
    expect(aliasDescribed.routingConfiguration).toEqual([
      { stateMachineVersionArn: `${machineArn}:2`, weight: 100 },
    ]);
    expect(aliasDescribed.updateDate).toBeInstanceOf(Date);
    const aliases = await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: machineArn }));
    expect(aliases.stateMachineAliases?.map((a) => a.stateMachineAliasArn)).toEqual([aliasArn]);

    // A version an alias points at cannot go; once the alias is gone it can.
    await expect(
      client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machineArn}:2` })),
    ).rejects.toBeInstanceOf(ConflictException);
    await client.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }));
    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machineArn}:2` }));
    await expect(
      client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    // Version numbers are never reused.
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: passing('three') }),
    );
    const v3 = await client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }));
    expect(v3.stateMachineVersionArn).toBe(`${machineArn}:3`);
  });

  it('refuses routing that does not add up to 100 or names a missing version', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'routed',
        definition: passing('x'),
        roleArn: ROLE,
        publish: true,
      }),
    );
    const v1 = created.stateMachineVersionArn ?? '';
    await expect(
      client.send(
        new CreateStateMachineAliasCommand({
          name: 'half',
          routingConfiguration: [{ stateMachineVersionArn: v1, weight: 50 }],
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      client.send(
        new CreateStateMachineAliasCommand({
          name: 'ghost',
          routingConfiguration: [{ stateMachineVersionArn: `${created.stateMachineArn}:9`, weight: 100 }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('tags a state machine and lists, replaces and removes its tags', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'tagged',
        definition: passing('t'),
        roleArn: ROLE,
        tags: [{ key: 'team', value: 'ops' }],
      }),
    );
    const resourceArn = created.stateMachineArn ?? '';
    await client.send(
      new TagResourceCommand({
        resourceArn,
        tags: [
          { key: 'team', value: 'core' },
          { key: 'tier', value: 'gold' },
        ],
      }),
    );
    const listed = await client.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(listed.tags).toEqual([
      { key: 'team', value: 'core' },
      { key: 'tier', value: 'gold' },
    ]);
    await client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { key: 'tier', value: 'gold' },
    ]);
    await expect(
      client.send(new ListTagsForResourceCommand({ resourceArn: `${resourceArn}-missing` })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('validates a definition into diagnostics with codes and locations instead of an error', async () => {
    const ok = await client.send(new ValidateStateMachineDefinitionCommand({ definition: passing('ok') }));
    expect(ok).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
    const broken = await client.send(
      new ValidateStateMachineDefinitionCommand({
        definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }),
      }),
    );
    expect(broken.result).toBe('FAIL');
    expect(broken.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'ERROR',
        code: 'MISSING_TRANSITION_TARGET',
        location: '/States/A/Next',
      }),
    );
    const notJson = await client.send(
      new ValidateStateMachineDefinitionCommand({ definition: '{"StartAt":' }),
    );
    expect(notJson.diagnostics?.[0]?.code).toBe('INVALID_JSON_DESCRIPTION');
  });
});
