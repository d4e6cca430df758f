import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { callerOf, parseGroups } from '../../../functions/src/http/auth';
import { type TestWorld, testWorld } from '../fakes';
import { apiEvent, handlersOver, lambdaContext } from '../handlers/api-event';
import { orderBody, registerMichat, submit } from '../lifecycle-helpers';

/** The console's app client: in no AGENCY_CLIENTS entry, it requests every scope for whoever signs in. */
const CONSOLE_CLIENT = 'client-console';
const ALL_SCOPES = 'openid takedown/read takedown/write takedown/admin';

const personEvent = (
  groups: string,
  input: Partial<Parameters<typeof apiEvent>[0]> = {},
  username = 'rina',
) =>
  apiEvent({
    method: 'GET',
    resource: '/v1/takedown-requests',
    clientId: CONSOLE_CLIENT,
    scope: ALL_SCOPES,
    ...input,
    claims: { username, 'cognito:groups': groups },
  });

const problem = (response: APIGatewayProxyResult) =>
  JSON.parse(response.body) as { status: number; detail: string; type: string };

describe('cognito:groups as API Gateway passes it', () => {
  it('reads bracketed, JSON, comma and space separated lists alike', () => {
    const expected = ['operator', 'agency:komdigi-ais'];
    expect(parseGroups('[operator, agency:komdigi-ais]')).toEqual(expected);
    expect(parseGroups('["operator","agency:komdigi-ais"]')).toEqual(expected);
    expect(parseGroups('operator,agency:komdigi-ais')).toEqual(expected);
    expect(parseGroups('operator agency:komdigi-ais')).toEqual(expected);
    expect(parseGroups('[operator agency:komdigi-ais]')).toEqual(expected);
    expect(parseGroups(undefined)).toEqual([]);
  });

  it('maps each group to its role and keeps only the scopes that role may use', () => {
    const officer = callerOf(personEvent('[agency:komdigi-ais]'), 'takedown/read');
    expect(officer.person?.role).toEqual({ kind: 'agency', agencyId: 'komdigi-ais' });
    expect(officer.scopes).toEqual(['takedown/read', 'takedown/write']);
    const operator = callerOf(personEvent('["operator"]'), 'takedown/admin');
    expect(operator.person?.role).toEqual({ kind: 'operator' });
    expect(operator.scopes).toEqual(['takedown/read', 'takedown/admin']);
    const staff = personEvent('platform:michat-sandbox');
    expect(() => callerOf(staff, 'takedown/read')).toThrow(/lacks the takedown\/read scope/);
  });

  it('keeps a machine client as it was: no person, every granted scope', () => {
    const caller = callerOf(
      apiEvent({ method: 'GET', resource: '/x', scope: 'takedown/read' }),
      'takedown/read',
    );
    expect(caller.person).toBeNull();
    expect(caller.scopes).toEqual(['takedown/read']);
  });
});

describe('people through the handlers', () => {
  let world: TestWorld;
  let handlers: Awaited<ReturnType<typeof handlersOver>>;
  beforeEach(async () => {
    world = testWorld();
    handlers = await handlersOver(world);
    await registerMichat(world);
  });

  it("shows an officer only their agency's orders, and another agency's order is not found", async () => {
    const komdigi = await submit(world, orderBody({ reference: 'K-1' }), 'k1', 'komdigi-ais');
    await submit(world, orderBody({ reference: 'P-1' }), 'p1', 'polri-siber');
    const listed = await handlers.read(personEvent('[agency:komdigi-ais]'), lambdaContext);
    expect(listed.statusCode, listed.body).toBe(200);
    const references = (JSON.parse(listed.body) as { items: { reference: string }[] }).items.map(
      (order) => order.reference,
    );
    expect(references).toEqual(['K-1']);
    const other = await handlers.read(
      personEvent('[agency:polri-siber]', {
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: komdigi.id },
      }),
      lambdaContext,
    );
    expect(other.statusCode).toBe(404);
  });

  it('lets an operator read any agency and refuses an officer the operator view', async () => {
    await submit(world, orderBody({ reference: 'K-2' }), 'k2', 'komdigi-ais');
    const asOperator = await handlers.read(
      personEvent('[operator]', { query: { agencyId: 'komdigi-ais' } }),
      lambdaContext,
    );
    expect(asOperator.statusCode, asOperator.body).toBe(200);
    expect((JSON.parse(asOperator.body) as { items: unknown[] }).items).toHaveLength(1);
    // The officer's token holds takedown/admin (the console requests it) but an officer may not use it.
    const asOfficer = await handlers.read(
      personEvent('[agency:polri-siber]', { query: { agencyId: 'komdigi-ais' } }),
      lambdaContext,
    );
    expect(asOfficer.statusCode).toBe(403);
  });

  it('records the signed-in officer on a submitted order, whatever the body names', async () => {
    const response = await handlers.submit(
      personEvent(
        '[agency:komdigi-ais]',
        {
          method: 'POST',
          headers: { 'Idempotency-Key': 'person-1' },
          body: JSON.stringify({ ...orderBody(), officer: 'somebody else' }),
        },
        'officer-komdigi',
      ),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(201);
    const view = JSON.parse(response.body) as { id: string; officer: string };
    expect(view.officer).toBe('officer-komdigi');
    expect(world.orders.orders.get(view.id)?.agencyId).toBe('komdigi-ais');
  });

  it('refuses a person in no group, or in two roles, with a 403 that says why', async () => {
    const none = await handlers.read(personEvent(''), lambdaContext);
    expect(none.statusCode).toBe(403);
    expect(problem(none).detail).toMatch(/in no Tenggat group/);
    const two = await handlers.read(personEvent('[agency:komdigi-ais, agency:polri-siber]'), lambdaContext);
    expect(two.statusCode).toBe(403);
    expect(problem(two).detail).toMatch(/conflicting groups/);
    const mixed = await handlers.read(personEvent('[operator, agency:komdigi-ais]'), lambdaContext);
    expect(problem(mixed).detail).toMatch(/conflicting groups/);
  });

  it('never takes the console client for an agency, even with a machine-shaped token', async () => {
    const response = await handlers.read(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests',
        clientId: CONSOLE_CLIENT,
        scope: ALL_SCOPES,
      }),
      lambdaContext,
    );
    // No username: a client-credentials token of an undeclared client. takedown/admin makes it an operator (who
    // lists every agency), never the agency of a client id it does not have.
    expect(response.statusCode).toBe(200);
    const asAgency = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        clientId: CONSOLE_CLIENT,
        headers: { 'Idempotency-Key': 'c1' },
        body: JSON.stringify(orderBody()),
      }),
      lambdaContext,
    );
    expect(asAgency.statusCode).toBe(403);
  });
});
