import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../functions/src/domain/audit';
import {
  auditEventView,
  CHAIN_GENESIS,
  type ChainedAuditEvent,
  chainAuditEvent,
  erasePersonalData,
  eventDigestOf,
  verifyChain,
} from '../../../functions/src/domain/audit-chain';

const ORDER = 'order-1';

function event(seq: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq,
    orderId: ORDER,
    at: `2026-11-27T00:00:0${seq}.000Z`,
    actor: { kind: 'agency', id: 'komdigi-ais', officer: 'Rina Susanti' },
    action: 'order_withdrawn',
    stage: 'order',
    details: { reason: 'Putusan pengadilan', itemIds: ['000001'] },
    ...overrides,
  };
}

/** A chain of `count` events, as the repository builds it, and its head. */
function chainOf(count: number) {
  const events: ChainedAuditEvent[] = [];
  let previous = CHAIN_GENESIS;
  for (let seq = 1; seq <= count; seq += 1) {
    const chained = chainAuditEvent(event(seq), previous, `salt-${seq}`);
    events.push(chained);
    previous = chained.digest;
  }
  const last = events.at(-1);
  return { events, head: last ? { orderId: ORDER, seq: last.seq, digest: last.digest } : null };
}

const replaceAt = (
  events: ChainedAuditEvent[],
  index: number,
  change: (e: ChainedAuditEvent) => ChainedAuditEvent,
) => events.map((entry, position) => (position === index ? change(entry) : entry));

describe('audit chain', () => {
  it('verifies an untouched chain of events against its head', () => {
    const { events, head } = chainOf(5);
    expect(events[0]?.previousDigest).toBe(CHAIN_GENESIS);
    expect(events[1]?.previousDigest).toBe(events[0]?.digest);
    expect(verifyChain(events, head)).toEqual({ valid: true, checkedEvents: 5 });
  });

  it('holds officer names and free-text reasons apart from the chained fields', () => {
    const [first] = chainOf(1).events;
    expect(first?.actor).toEqual({ kind: 'agency', id: 'komdigi-ais' });
    expect(first?.details).toEqual({ itemIds: ['000001'] });
    expect(first?.personalData).toMatchObject({
      officer: 'Rina Susanti',
      details: { reason: 'Putusan pengadilan' },
    });
    expect(first?.personalDataDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(first ? auditEventView(first) : null).toMatchObject({
      actor: { officer: 'Rina Susanti' },
      details: { reason: 'Putusan pengadilan', itemIds: ['000001'] },
    });
  });

  it('salts the personal data digest, so an erased name cannot be found again by hashing guesses', () => {
    const one = chainAuditEvent(event(1), CHAIN_GENESIS, 'salt-a');
    const two = chainAuditEvent(event(1), CHAIN_GENESIS, 'salt-b');
    expect(one.personalDataDigest).not.toBe(two.personalDataDigest);
  });

  it('gives events without personal data no personal data digest', () => {
    const plain = chainAuditEvent(
      event(1, { actor: { kind: 'system', id: 'tenggat-workflow' }, details: { status: 'complied' } }),
      CHAIN_GENESIS,
      'salt',
    );
    expect(plain.personalData).toBeNull();
    expect(plain.personalDataDigest).toBeNull();
  });

  it('breaks at the event whose chained fields were edited', () => {
    const { events, head } = chainOf(5);
    const edited = replaceAt(events, 2, (entry) => ({ ...entry, details: { itemIds: ['000002'] } }));
    expect(verifyChain(edited, head)).toEqual({
      valid: false,
      checkedEvents: 2,
      brokenAt: 3,
      reason: 'event_altered',
    });
  });

  it('breaks at the next link when an edited event was given a fresh digest', () => {
    const { events, head } = chainOf(5);
    const rehashed = replaceAt(events, 1, (entry) => {
      const changed = { ...entry, action: 'review_upheld' };
      return { ...changed, digest: eventDigestOf(changed) };
    });
    expect(verifyChain(rehashed, head)).toMatchObject({
      valid: false,
      brokenAt: 3,
      reason: 'chain_link_broken',
    });
  });

  it('breaks where an event was removed from the middle, the start or the end', () => {
    const { events, head } = chainOf(5);
    expect(
      verifyChain(
        events.filter((entry) => entry.seq !== 3),
        head,
      ),
    ).toMatchObject({
      valid: false,
      brokenAt: 3,
      reason: 'missing_event',
    });
    expect(verifyChain(events.slice(1), head)).toMatchObject({ valid: false, brokenAt: 1 });
    expect(verifyChain(events.slice(0, 4), head)).toMatchObject({
      valid: false,
      checkedEvents: 4,
      brokenAt: 5,
      reason: 'missing_event',
    });
  });

  it('breaks when the chain was rebuilt but the head still names the original last event', () => {
    const { head } = chainOf(3);
    const forged: ChainedAuditEvent[] = [];
    let previous = CHAIN_GENESIS;
    for (let seq = 1; seq <= 3; seq += 1) {
      const chained = chainAuditEvent(event(seq, { action: 'forged' }), previous, `salt-${seq}`);
      forged.push(chained);
      previous = chained.digest;
    }
    expect(verifyChain(forged, head)).toMatchObject({ valid: false, brokenAt: 3, reason: 'head_mismatch' });
  });

  it('keeps verifying after personal data is erased, and shows the event without it', () => {
    const { events, head } = chainOf(4);
    const erasedAt = new Date('2026-12-01T00:00:00Z');
    const erased = events.map((entry) => erasePersonalData(entry, erasedAt));
    expect(verifyChain(erased, head)).toEqual({ valid: true, checkedEvents: 4 });
    const [first] = erased;
    expect(first?.personalData).toBeNull();
    expect(first?.digest).toBe(events[0]?.digest);
    const view = first ? auditEventView(first) : null;
    expect(JSON.stringify(view)).not.toContain('Rina');
    expect(JSON.stringify(view)).not.toContain('Putusan');
    expect(view?.personalDataErasedAt).toBe('2026-12-01T00:00:00.000Z');
  });

  it('breaks when personal data was changed instead of erased', () => {
    const { events, head } = chainOf(3);
    const altered = replaceAt(events, 1, (entry) => ({
      ...entry,
      personalData: entry.personalData && { ...entry.personalData, officer: 'Someone Else' },
    }));
    expect(verifyChain(altered, head)).toMatchObject({
      valid: false,
      brokenAt: 2,
      reason: 'personal_data_altered',
    });
  });

  it('reports events without a head as broken, and an empty trail without one as valid', () => {
    const { events } = chainOf(2);
    expect(verifyChain(events, null)).toMatchObject({ valid: false, reason: 'head_missing' });
    expect(verifyChain([], null)).toEqual({ valid: true, checkedEvents: 0 });
  });
});
