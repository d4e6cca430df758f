import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/api';
import { BODY_RULES_BY_GROUP } from '../../lib/waf';
import { synthTenggat } from './synth-tenggat';
import { resolveToString } from './template-values';

type Json = Record<string, unknown>;
interface Rule {
  Name: string;
  Priority: number;
  Action?: Json;
  OverrideAction?: Json;
  Statement: Json;
}

// One synth for the file (no bundling: these tests read the template only).
const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const [webAclLogicalId, webAcl] =
  Object.entries(resources).find(([, resource]) => resource.Type === 'AWS::WAFv2::WebACL') ?? [];
const rules = (webAcl?.Properties.Rules ?? []) as Rule[];
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

const ORDER_AND_ANSWER_ROUTES = [
  'POST /v1/takedown-requests',
  'POST /v1/takedown-requests/{id}/review',
  'POST /v1/platforms/{platformId}/responses',
  'POST /v1/platforms/{platformId}/orders/{id}/answers',
  'POST /v1/platforms/{platformId}/orders/{id}/clarification-requests',
];

function managedGroupRules(group: string): Rule[] {
  return rules.filter(
    (rule) => (rule.Statement.ManagedRuleGroupStatement as Json | undefined)?.Name === group,
  );
}

/** Evaluates the subset of WAF statements this web ACL uses against a request, as WAF would. */
function statementMatches(statement: Json, request: { method: string; path: string }): boolean {
  const and = statement.AndStatement as { Statements: Json[] } | undefined;
  if (and) return and.Statements.every((inner) => statementMatches(inner, request));
  const not = statement.NotStatement as { Statement: Json } | undefined;
  if (not) return !statementMatches(not.Statement, request);
  const byteMatch = statement.ByteMatchStatement as
    | { SearchString: string; FieldToMatch: Json; PositionalConstraint: string }
    | undefined;
  if (byteMatch) {
    expect(byteMatch.FieldToMatch).toEqual({ Method: {} });
    expect(byteMatch.PositionalConstraint).toBe('EXACTLY');
    return request.method === byteMatch.SearchString;
  }
  const regexMatch = statement.RegexMatchStatement as { RegexString: string; FieldToMatch: Json } | undefined;
  if (regexMatch) {
    expect(regexMatch.FieldToMatch).toEqual({ UriPath: {} });
    return new RegExp(regexMatch.RegexString).test(request.path);
  }
  return expect.unreachable(`statement not evaluated by this test: ${JSON.stringify(statement)}`);
}

/** Every contract route as a concrete request, path parameters filled with hostile-looking ids. */
const concreteRequests = ROUTES.flatMap((route) => {
  const path = route.path.replace('{id}', 'tdr_01J9Z').replace('{platformId}', 'michat');
  const key = `${route.method} ${route.path}`;
  return [
    { key, method: route.method, path },
    { key, method: route.method, path: `/prod${path}` },
  ];
});

describe('the web ACL on the REST API', () => {
  it('is regional, allows by default and is associated with the API stage', () => {
    expect(webAcl?.Properties.Scope).toBe('REGIONAL');
    expect(webAcl?.Properties.DefaultAction).toEqual({ Allow: {} });
    const associations = ofType('AWS::WAFv2::WebACLAssociation');
    expect(associations).toHaveLength(1);
    const association = associations[0]?.Properties ?? {};
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [webAclLogicalId, 'Arn'] });
    const [stageLogicalId] = Object.entries(resources).find(
      ([, resource]) => resource.Type === 'AWS::ApiGateway::Stage',
    ) ?? [''];
    expect(resolveToString(association.ResourceArn)).toBe(
      `arn:aws:apigateway:ap-southeast-3::/restapis/ref-TenggatApi/stages/ref-${stageLogicalId}`,
    );
  });

  it('runs the four AWS managed rule groups', () => {
    const groups = new Set(
      rules
        .map((rule) => (rule.Statement.ManagedRuleGroupStatement as Json | undefined)?.Name)
        .filter(Boolean),
    );
    expect([...groups].sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
    for (const rule of rules.filter((candidate) => candidate.Statement.ManagedRuleGroupStatement)) {
      // `None` keeps the group's own actions; `Count` here would silently turn a whole group off.
      expect(rule.OverrideAction, rule.Name).toEqual({ None: {} });
    }
  });

  it('gives every rule its own priority and metrics', () => {
    expect(new Set(rules.map((rule) => rule.Priority)).size).toBe(rules.length);
    for (const rule of rules) expect((rule as unknown as Json).VisibilityConfig, rule.Name).toBeDefined();
  });

  it('counts the body rules on the order and answer routes only, and blocks with them everywhere else', () => {
    expect(BODY_RULES_BY_GROUP.AWSManagedRulesCommonRuleSet).toEqual(
      expect.arrayContaining([
        'SizeRestrictions_BODY',
        'CrossSiteScripting_BODY',
        'EC2MetaDataSSRF_BODY',
        'GenericLFI_BODY',
        'GenericRFI_BODY',
      ]),
    );
    expect(BODY_RULES_BY_GROUP.AWSManagedRulesSQLiRuleSet).toEqual(
      expect.arrayContaining(['SQLi_BODY', 'SQLiExtendedPatterns_BODY']),
    );
    for (const [group, bodyRules] of Object.entries(BODY_RULES_BY_GROUP)) {
      const instances = managedGroupRules(group);
      expect(instances, group).toHaveLength(2);
      for (const request of concreteRequests) {
        // Exactly one instance sees each request; it counts the body rules iff the route carries an order or answer.
        const applying = instances.filter((instance) =>
          statementMatches(
            (instance.Statement.ManagedRuleGroupStatement as { ScopeDownStatement: Json }).ScopeDownStatement,
            request,
          ),
        );
        expect(applying, `${group} ${request.method} ${request.path}`).toHaveLength(1);
        const overrides = (((applying[0]?.Statement.ManagedRuleGroupStatement ?? {}) as Json)
          .RuleActionOverrides ?? []) as { Name: string; ActionToUse: Json }[];
        if (ORDER_AND_ANSWER_ROUTES.includes(request.key)) {
          expect(overrides.map((override) => override.Name).sort(), request.key).toEqual(
            [...bodyRules].sort(),
          );
          for (const override of overrides) expect(override.ActionToUse).toEqual({ Count: {} });
        } else {
          expect(overrides, request.key).toEqual([]);
        }
      }
    }
  });

  it('does not let a GET or another route borrow the counting scope', () => {
    const orderScope = managedGroupRules('AWSManagedRulesSQLiRuleSet').find(
      (rule) => (rule.Statement.ManagedRuleGroupStatement as Json).RuleActionOverrides,
    );
    const scope = ((orderScope?.Statement.ManagedRuleGroupStatement ?? {}) as { ScopeDownStatement: Json })
      .ScopeDownStatement;
    for (const [method, path] of [
      ['GET', '/prod/v1/takedown-requests'],
      ['POST', '/prod/v1/takedown-requests/x/withdrawal'],
      ['POST', '/prod/v1/takedown-requests/x/review/extra'],
      ['POST', '/prod/v1/platforms'],
      ['POST', '/prod/v1/platforms/michat/secret-rotation'],
      ['POST', '/v1/takedown-requests/x/redelivery'],
      ['POST', '/other/prefix/v1/takedown-requests'],
      ['POST', '/notthestage/v1/takedown-requests'],
    ] as const) {
      expect(statementMatches(scope, { method, path }), `${method} ${path}`).toBe(false);
    }
  });
});

describe('request rate limits', () => {
  const rateRules = rules.filter((rule) => rule.Statement.RateBasedStatement);
  const statementOf = (name: string) =>
    rateRules.find((rule) => rule.Name === name)?.Statement.RateBasedStatement as Json | undefined;
  const managedPriorities = rules
    .filter((rule) => rule.Statement.ManagedRuleGroupStatement)
    .filter(
      (rule) =>
        (rule.Statement.ManagedRuleGroupStatement as Json).Name !== 'AWSManagedRulesAmazonIpReputationList',
    )
    .map((rule) => rule.Priority);

  it('give each bearer token its own budget, keyed on the Authorization header', () => {
    expect(statementOf('PerClientRate')).toEqual({
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [
        { Header: { Name: 'Authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
      ],
      EvaluationWindowSec: 60,
      Limit: 600,
    });
  });

  it('give each platform its own budget on its signed answer route, and each IP a backstop', () => {
    const perPlatform = statementOf('PerPlatformRate');
    expect(perPlatform?.AggregateKeyType).toBe('CUSTOM_KEYS');
    expect(perPlatform?.CustomKeys).toEqual([
      { UriPath: { TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
    ]);
    const scope = perPlatform?.ScopeDownStatement as Json;
    expect(statementMatches(scope, { method: 'POST', path: '/prod/v1/platforms/michat/responses' })).toBe(
      true,
    );
    expect(statementMatches(scope, { method: 'POST', path: '/prod/v1/takedown-requests' })).toBe(false);
    expect(statementOf('PerIpRate')).toMatchObject({ AggregateKeyType: 'IP', EvaluationWindowSec: 60 });
  });

  it('answer 429 with Retry-After and a problem document, before the costly managed groups run', () => {
    expect(rateRules.map((rule) => rule.Name).sort()).toEqual([
      'PerClientRate',
      'PerIpRate',
      'PerPlatformRate',
    ]);
    const bodies = webAcl?.Properties.CustomResponseBodies as Record<
      string,
      { Content: string; ContentType: string }
    >;
    for (const rule of rateRules) {
      const response = (rule.Action?.Block as { CustomResponse: Json } | undefined)?.CustomResponse;
      expect(response?.ResponseCode, rule.Name).toBe(429);
      expect(response?.ResponseHeaders, rule.Name).toEqual([
        {
          Name: 'Retry-After',
          Value: String((rule.Statement.RateBasedStatement as Json).EvaluationWindowSec),
        },
      ]);
      const body = bodies[String(response?.CustomResponseBodyKey)];
      expect(body?.ContentType).toBe('APPLICATION_JSON');
      const problem = JSON.parse(body?.Content ?? '{}');
      expect(problem).toMatchObject({ type: 'https://tenggat.dev/problems/too-many-requests', status: 429 });
      expect(rule.Priority).toBeLessThan(Math.min(...managedPriorities));
    }
  });

  it('keep stage throttling as the global backstop', () => {
    const stage = ofType('AWS::ApiGateway::Stage')[0]?.Properties;
    expect(((stage?.MethodSettings ?? []) as Json[])[0]).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
  });
});

describe('WAF logging', () => {
  it('goes to an encrypted aws-waf-logs-* group with the Authorization header redacted', () => {
    const configurations = ofType('AWS::WAFv2::LoggingConfiguration');
    expect(configurations).toHaveLength(1);
    const configuration = configurations[0]?.Properties ?? {};
    expect(configuration.ResourceArn).toEqual({ 'Fn::GetAtt': [webAclLogicalId, 'Arn'] });
    expect(configuration.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    const destinations = configuration.LogDestinationConfigs as unknown[];
    expect(destinations).toHaveLength(1);
    const destination = JSON.stringify(destinations[0]);
    // The ARN of the group itself (no `:*`), built from the group's name.
    expect(destination).not.toContain(':*');
    const logGroupLogicalId = /"Ref":"([^"]+)"\}\]\]\}$/.exec(destination)?.[1] ?? '';
    const logGroup = resources[logGroupLogicalId];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.stringify(logGroup?.Properties.LogGroupName)).toMatch(/^\{"Fn::Join":\["",\["aws-waf-logs-/);
    expect(logGroup?.Properties.KmsKeyId).toBeDefined();
  });
});
