import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { TenggatStack } from '../../lib/tenggat-stack';

interface Violation {
  ruleName: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
}
interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: Violation[];
    suppressedViolations?: Violation[];
  }[];
}

// The whole app through the AwsSolutions pack, once; the plugin writes its findings to validation-report.json.
const outdir = mkdtempSync(join(tmpdir(), 'tenggat-nag-'));
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
new TenggatStack(app, 'Tenggat', {
  config: loadConfig(),
  env: { account: '123456789012', region: 'ap-southeast-3' },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
let synthError: unknown;
try {
  app.synth();
} catch (error) {
  synthError = error;
}
const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
const awsSolutions = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions over the whole app', () => {
  const open = (awsSolutions?.violations ?? []).map(
    (violation) =>
      `${violation.ruleName} at ${violation.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
  );

  it('reports no unacknowledged error or warning', () => {
    expect(open).toEqual([]);
    expect(awsSolutions?.conclusion).toBe('success');
    expect(synthError).toBeUndefined();
  });

  it('finds the API stage behind a WAF web ACL instead of acknowledging its absence', () => {
    const acknowledged = (awsSolutions?.suppressedViolations ?? []).map((violation) => violation.ruleName);
    expect(acknowledged).not.toContain('AwsSolutions-APIG3');
    expect(open.filter((finding) => finding.startsWith('AwsSolutions-APIG3'))).toEqual([]);
  });

  it('ran the rules (findings exist and every one was acknowledged on purpose)', () => {
    expect(awsSolutions?.suppressedViolations?.length ?? 0).toBeGreaterThan(0);
  });

  it('gives every acknowledgement a specific reason', () => {
    const reasons = (awsSolutions?.suppressedViolations ?? []).map((violation) => ({
      rule: violation.ruleName,
      reason: violation.reason ?? '',
    }));
    for (const { rule, reason } of reasons) {
      expect(reason.length, rule).toBeGreaterThanOrEqual(80);
    }
    // Wildcards are acknowledged only where AWS offers nothing narrower: X-Ray, the run-time secret prefix and the
    // workflow's executions, named per order at run time, the reports bucket's objects, keyed at run time (the
    // bodies of large orders under intake/), and the console deployment's two buckets (the console zip in the CDK
    // assets bucket, named at deploy time, and every file of the console bucket).
    const wildcardRules = new Set(
      reasons.filter(({ rule }) => rule.startsWith('AwsSolutions-IAM5')).map(({ rule }) => rule),
    );
    expect([...wildcardRules].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<ConsoleFiles2D43986C.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<ReportsBucket.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<ReportsBucket.Arn>/intake/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-123456789012-ap-southeast-3/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:ap-southeast-3:123456789012:secret:tenggat/platforms/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:ap-southeast-3:123456789012:secret:tenggat/subscriptions/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:ap-southeast-3:123456789012:execution:Tenggat-OrderWorkflow:*]',
    ]);
  });
});
