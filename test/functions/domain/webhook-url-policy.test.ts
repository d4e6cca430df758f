import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkWebhookUrl,
  UnsafeWebhookUrlError,
} from '../../../functions/src/domain/webhook-url-policy';

const aws = { allowLoopback: false, blockedPorts: [] };
const local = { allowLoopback: true, blockedPorts: [4566, 8080] };

describe('checkWebhookUrl', () => {
  it('accepts public https URLs', () => {
    expect(checkWebhookUrl('https://hooks.michat.example/tenggat', aws).hostname).toBe(
      'hooks.michat.example',
    );
  });

  it.each([
    'http://hooks.michat.example/',
    'ftp://hooks.michat.example/',
    'https://user:pw@hooks.michat.example/',
    'https://10.0.0.5/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[fd00:ec2::254]/',
    'https://127.0.0.1/',
    'http://localhost:9000/',
    'not a url',
  ])('refuses %s on AWS', (url) => {
    expect(() => checkWebhookUrl(url, aws)).toThrow(UnsafeWebhookUrlError);
  });

  it('allows loopback http locally, except on the local cloud own ports', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', local).port).toBe('9000');
    expect(checkWebhookUrl('http://localhost:9000/hook', local).port).toBe('9000');
    expect(() => checkWebhookUrl('http://127.0.0.1:4566/', local)).toThrow(/reserved/);
    expect(() => checkWebhookUrl('http://192.168.1.2:9000/', local)).toThrow(UnsafeWebhookUrlError);
  });
});

describe('checkAddress', () => {
  it('refuses private, link-local, metadata and IPv4-mapped private addresses', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '::ffff:10.0.0.1',
      'fe80::1',
      '0.0.0.0',
    ]) {
      expect(() => checkAddress(address, aws), address).toThrow(UnsafeWebhookUrlError);
    }
  });

  it('accepts public addresses', () => {
    expect(() => checkAddress('93.184.216.34', aws)).not.toThrow();
    expect(() => checkAddress('2606:2800:220:1:248:1893:25c8:1946', aws)).not.toThrow();
  });
});
