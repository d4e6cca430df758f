import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, durationToSeconds, loadConfig } from '../../lib/config';

const scratch = mkdtempSync(join(tmpdir(), 'tenggat-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const defaultPolicy = JSON.parse(readFileSync('config/policies/default.json', 'utf8')) as Record<
  string,
  unknown
>;

function writeJson(name: string, value: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

function configDirectoryWith(agencies: unknown): string {
  const directory = mkdtempSync(join(scratch, 'config-'));
  mkdirSync(join(directory, 'policies'));
  writeFileSync(join(directory, 'agencies.json'), JSON.stringify(agencies));
  writeFileSync(join(directory, 'policies', 'default.json'), JSON.stringify(defaultPolicy));
  return directory;
}

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('durationToSeconds', () => {
  it('reads the ISO 8601 durations policies use', () => {
    expect(durationToSeconds('PT4H')).toBe(14_400);
    expect(durationToSeconds('P1D')).toBe(86_400);
    expect(durationToSeconds('PT5M')).toBe(300);
    expect(durationToSeconds('PT0S')).toBe(0);
    expect(durationToSeconds('P1DT2H30M1.5S')).toBe(86_400 + 7_200 + 1_800 + 1.5);
  });

  it('rejects what is not a duration', () => {
    for (const text of ['4h', 'P', 'PT', 'P1Y', 'PT-5S', '']) {
      expect(() => durationToSeconds(text), text).toThrow(ConfigurationError);
    }
  });
});

describe('loadConfig', () => {
  it('loads the declared agencies and the default policy', () => {
    const config = loadConfig();
    expect(config.agencies.agencies.map((agency) => agency.id)).toEqual([
      'komdigi-ais',
      'polri-siber',
      'bpom',
    ]);
    expect(config.policy.name).toBe('default');
    expect(config.allowLoopbackWebhooks).toBe(false);
    expect(config.blockedWebhookPorts).toEqual([]);
  });

  it('picks a policy by name, with every duration in seconds for the fast one', () => {
    const config = loadConfig({ policy: 'fast' });
    expect(config.policy.name).toBe('fast');
    expect(durationToSeconds(config.policy.deadlines.standard.order)).toBeLessThan(60);
  });

  it('picks a policy by file path', () => {
    const path = writeJson('custom.json', { ...defaultPolicy, name: 'custom' });
    expect(loadConfig({ policy: path }).policy.name).toBe('custom');
  });

  it('names the broken field of a policy and the file it is in', () => {
    const path = writeJson('broken.json', {
      ...defaultPolicy,
      deadlines: {
        ...(defaultPolicy.deadlines as object),
        urgent: { order: '4 hours', st1: 'PT4H', st2: 'PT24H' },
      },
    });
    const message = messageOf(() => loadConfig({ policy: path }));
    expect(message).toContain(path);
    expect(message).toContain('deadlines.urgent.order');
    expect(message).toContain('ISO 8601');
  });

  it('rejects unknown policy keys, unknown categories and zero deadlines', () => {
    expect(
      messageOf(() => loadConfig({ policy: writeJson('extra.json', { ...defaultPolicy, extra: 1 }) })),
    ).toContain('extra');
    expect(
      messageOf(() =>
        loadConfig({ policy: writeJson('category.json', { ...defaultPolicy, urgentCategories: ['spam'] }) }),
      ),
    ).toContain('urgentCategories.0');
    const zero = { ...defaultPolicy, reviewReminderPeriod: 'PT0S' };
    expect(messageOf(() => loadConfig({ policy: writeJson('zero.json', zero) }))).toContain(
      'reviewReminderPeriod',
    );
  });

  it('says clearly when a policy file is missing or not JSON', () => {
    expect(messageOf(() => loadConfig({ policy: 'no-such-policy' }))).toContain(
      'Cannot read Escalation policy',
    );
    expect(messageOf(() => loadConfig({ policy: writeJson('not-json.json', '{ nope') }))).toContain(
      'not valid JSON',
    );
  });

  it('rejects agencies declared twice or with ids that cannot name a client', () => {
    const twice = configDirectoryWith({
      agencies: [
        { id: 'bpom', name: 'BPOM' },
        { id: 'bpom', name: 'BPOM again' },
      ],
      operators: [{ id: 'ops', name: 'Ops' }],
    });
    expect(messageOf(() => loadConfig({ configDirectory: twice }))).toContain('"bpom" is declared twice');
    const badId = configDirectoryWith({
      agencies: [{ id: 'BPOM!', name: 'x' }],
      operators: [{ id: 'ops', name: 'o' }],
    });
    expect(messageOf(() => loadConfig({ configDirectory: badId }))).toContain('agencies.0.id');
  });

  it('reads the webhook context switches as CDK hands them over (strings or values)', () => {
    const config = loadConfig({ allowLoopbackWebhooks: 'true', blockedWebhookPorts: '4566, 4567' });
    expect(config.allowLoopbackWebhooks).toBe(true);
    expect(config.blockedWebhookPorts).toEqual([4566, 4567]);
    expect(
      loadConfig({ allowLoopbackWebhooks: true, blockedWebhookPorts: [8080] }).blockedWebhookPorts,
    ).toEqual([8080]);
    expect(messageOf(() => loadConfig({ allowLoopbackWebhooks: 'yes' }))).toContain(
      'tenggat:allowLoopbackWebhooks',
    );
    expect(messageOf(() => loadConfig({ blockedWebhookPorts: '80,http' }))).toContain(
      'tenggat:blockedWebhookPorts',
    );
  });
});
