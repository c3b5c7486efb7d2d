/** The page cache's size unless a caller says otherwise. */
export const DEFAULT_PAGE_CACHE_MB = 64;

/**
 * Main-file pages of the snapshot kept in memory: at most `capacity` of them, in one buffer
 * allocated once (the system hands its memory out as slots are first written, so a small database
 * costs only what it uses). When full, a page not used lately makes room (the clock algorithm, an
 * approximation of least-recently-used): it is read from the file again if SQLite asks for it later.
 */
export class PageCache {
  readonly capacity: number;
  private readonly slab: Uint8Array;
  /** Page number -> slot + 1 (0: not cached). Grows with the database. */
  private slotOf = new Int32Array(0);
  /** Slot -> page number (0: free). */
  private readonly pageOf: Int32Array;
  /** Slot -> used since the clock hand last passed it. */
  private readonly used: Uint8Array;
  private hand = 0;
  /** Slots handed out so far (slots below it may be free again after `drop`). */
  private issued = 0;
  private free: number[] = [];

  constructor(
    readonly pageSize: number,
    budgetBytes: number,
  ) {
    this.capacity = Math.max(16, Math.floor(budgetBytes / pageSize));
    this.slab = new Uint8Array(this.capacity * pageSize);
    this.pageOf = new Int32Array(this.capacity);
    this.used = new Uint8Array(this.capacity);
  }

  /** The cached copy of page `n`, or undefined. */
  get(n: number): Uint8Array | undefined {
    const slot = (this.slotOf[n] ?? 0) - 1;
    if (slot < 0) return undefined;
    this.used[slot] = 1;
    return this.slab.subarray(slot * this.pageSize, (slot + 1) * this.pageSize);
  }

  /** Room for page `n`, to be filled by the caller; another page may be let go for it. */
  put(n: number): Uint8Array {
    const slot = this.get(n) ? this.slotOf[n] - 1 : this.take();
    if (n >= this.slotOf.length) this.grow(n + 1);
    this.slotOf[n] = slot + 1;
    this.pageOf[slot] = n;
    this.used[slot] = 1;
    return this.slab.subarray(slot * this.pageSize, (slot + 1) * this.pageSize);
  }

  /** Lets page `n` go, if cached. */
  drop(n: number): void {
    const slot = (this.slotOf[n] ?? 0) - 1;
    if (slot < 0) return;
    this.slotOf[n] = 0;
    this.pageOf[slot] = 0;
    this.used[slot] = 0;
    this.free.push(slot);
  }

  clear(): void {
    this.slotOf.fill(0);
    this.pageOf.fill(0);
    this.used.fill(0);
    this.free = [];
    this.issued = 0;
    this.hand = 0;
  }

  /** Bytes of pages held. */
  get bytes(): number {
    return (this.issued - this.free.length) * this.pageSize;
  }

  private take(): number {
    const free = this.free.pop();
    if (free !== undefined) return free;
    if (this.issued < this.capacity) return this.issued++;
    // Full: pass over slots, giving each used one a second chance, until one was not used.
    for (;;) {
      const slot = this.hand;
      this.hand = (this.hand + 1) % this.capacity;
      if (this.used[slot]) this.used[slot] = 0;
      else {
        this.slotOf[this.pageOf[slot]] = 0;
        return slot;
      }
    }
  }

  private grow(length: number): void {
    const next = new Int32Array(Math.max(length, this.slotOf.length * 2, 1024));
    next.set(this.slotOf);
    this.slotOf = next;
  }
}
