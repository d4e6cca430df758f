/**
 * One timer for the whole engine: due times (Wait ends, task timeouts, heartbeats, retry back-offs) sit in a
 * min-heap and a single `setTimeout` is armed for the earliest. The due times themselves are persisted by the
 * caller, so after a restart they are re-registered and fire at their original time (or at once if passed).
 */
interface Timer {
  dueMs: number;
  sequence: number;
  fire: () => void;
  cancelled: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

export class Scheduler {
  private readonly heap: Timer[] = [];
  private armed: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private sequence = 0;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  at(dueMs: number, fire: () => void): TimerHandle {
    const timer: Timer = { dueMs, sequence: this.sequence++, fire, cancelled: false };
    this.push(timer);
    this.arm();
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Resolves at `dueMs`; the handle lets a caller stop waiting early (StopExecution, engine close). */
  sleepUntil(dueMs: number): { promise: Promise<void>; handle: TimerHandle } {
    let handle: TimerHandle = { cancel: () => {} };
    const promise = new Promise<void>((resolve) => {
      handle = this.at(dueMs, resolve);
    });
    return { promise, handle };
  }

  stop(): void {
    this.stopped = true;
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.heap.length = 0;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.length > 0 && this.heap[0]?.cancelled) this.pop();
    const next = this.heap[0];
    if (!next) {
      if (this.armed) clearTimeout(this.armed);
      this.armed = undefined;
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.armed && this.armedFor <= next.dueMs) return;
    if (this.armed) clearTimeout(this.armed);
    this.armedFor = next.dueMs;
    // setTimeout caps at ~24.8 days; longer waits simply re-arm when that fires.
    const delay = Math.min(Math.max(0, next.dueMs - this.now()), 2_000_000_000);
    this.armed = setTimeout(() => this.fireDue(), delay);
  }

  private fireDue(): void {
    this.armed = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    for (;;) {
      const next = this.heap[0];
      if (!next || next.dueMs > now) break;
      this.pop();
      if (!next.cancelled) next.fire();
    }
    this.arm();
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!parent || !earlier(timer, parent)) break;
      heap[index] = parent;
      heap[parentIndex] = timer;
      index = parentIndex;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !last) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      const leftTimer = heap[left];
      const rightTimer = heap[right];
      const smallestTimer = () => heap[smallest] as Timer;
      if (leftTimer && earlier(leftTimer, smallestTimer())) smallest = left;
      if (rightTimer && earlier(rightTimer, smallestTimer())) smallest = right;
      if (smallest === index) break;
      heap[index] = smallestTimer();
      heap[smallest] = last;
      index = smallest;
    }
    return top;
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);
}
