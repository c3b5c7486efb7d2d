/**
 * A topological order of nodes given by index, each before the nodes that depend on it; among the
 * nodes free to come next, the one defined first comes first. Nodes on a cycle (or depending on
 * one) never become free: they follow the rest in definition order, and are returned as `cyclic`.
 * Kahn's algorithm over a binary heap: O((n + e) log n), and it always ends.
 */
export function topologicalOrder(count: number, dependsOn: (index: number) => number[]): { order: number[]; cyclic: number[] } {
  const waiting = new Array<number>(count).fill(0);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < count; i++) {
    for (const d of new Set(dependsOn(i))) {
      waiting[i]++;
      dependents[d].push(i);
    }
  }
  const heap = new MinHeap();
  for (let i = 0; i < count; i++) if (waiting[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size) {
    const next = heap.pop();
    order.push(next);
    for (const dependent of dependents[next]) if (--waiting[dependent] === 0) heap.push(dependent);
  }
  const cyclic: number[] = [];
  for (let i = 0; i < count; i++) if (waiting[i] > 0) cyclic.push(i);
  return { order: [...order, ...cyclic], cyclic };
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= items[i]) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && items[l] < items[min]) min = l;
        if (r < items.length && items[r] < items[min]) min = r;
        if (min === i) break;
        [items[min], items[i]] = [items[i], items[min]];
        i = min;
      }
    }
    return top;
  }
}
