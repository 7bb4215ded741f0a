/** What the heap orders: earliest deadline first, then first posted first. `hi` is the slot it sits in. */
export interface HeapItem {
  deadline: number;
  seq: number;
  hi: number;
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/**
 * A binary min-heap of task records keyed on (deadline, seq): earliest deadline first within a level.
 * Each item knows its slot (`hi`, -1 when not queued) so that cancellation and aging remove it in
 * O(log n) without searching. The backing array only grows (to the most items ever queued), so
 * steady-state push/pop allocate nothing.
 */
export class DeadlineHeap<T extends HeapItem> {
  readonly items: T[] = [];
  size = 0;

  peek(): T | undefined {
    return this.size > 0 ? this.items[0] : undefined;
  }

  push(t: T): void {
    const i = this.size++;
    if (i < this.items.length) this.items[i] = t;
    else this.items.push(t);
    t.hi = i;
    this.up(i);
  }

  pop(): T | undefined {
    if (this.size === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes `t` (which must be in this heap). */
  remove(t: T): void {
    this.removeAt(t.hi);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const gone = items[i]!;
    const last = items[--this.size]!;
    gone.hi = -1;
    if (i === this.size) return;
    items[i] = last;
    last.hi = i;
    if (i > 0 && before(last, items[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const items = this.items;
    const t = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = items[p]!;
      if (!before(t, pt)) break;
      items[i] = pt;
      pt.hi = i;
      i = p;
    }
    items[i] = t;
    t.hi = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = this.size;
    const t = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const ct = items[c]!;
      if (!before(ct, t)) break;
      items[i] = ct;
      ct.hi = i;
      i = c;
    }
    items[i] = t;
    t.hi = i;
  }
}
