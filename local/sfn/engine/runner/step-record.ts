import { type TextSource, textOf } from '../store';
import type { Strand } from './state-run';

/**
 * A committed step: how one visit of a state ended, and where its strand stood then. The field names are
 * stored in the journal (keep them, or databases of earlier engines cannot be resumed).
 */
export interface StepRecord {
  output?: unknown;
  next?: string | null;
  error?: string;
  cause?: string;
  own: Record<string, unknown>;
  eventSeq: number;
  lastEventId: number;
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _key in record) return false;
  return true;
}

/**
 * The journal entry of a step that went on to a next state (or ended its strand): its output's JSON text
 * (already written for the exit event) and its position, the record's text written only when asked. The
 * in-memory store keeps this object, not a second text that repeats the output (the GC copied both; profiled).
 */
export class StepEntry {
  private readonly own: Record<string, unknown>;
  private readonly eventSeq: number;
  private readonly lastEventId: number;

  constructor(
    private readonly outputText: TextSource,
    private readonly next: string | null,
    strand: Strand,
  ) {
    this.own = strand.ownVariables;
    this.eventSeq = strand.eventCount;
    this.lastEventId = strand.lastEventId;
  }

  /** As JSON.stringify writes the StepRecord: the same keys in the same order. */
  get text(): string {
    const own = isEmpty(this.own) ? '{}' : JSON.stringify(this.own);
    return `{"output":${textOf(this.outputText)},"next":${JSON.stringify(this.next)},"own":${own},"eventSeq":${this.eventSeq},"lastEventId":${this.lastEventId}}`;
  }
}
