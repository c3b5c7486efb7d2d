import * as assert from 'node:assert/strict';
import { PageCache } from '../../src/core/sqlite/snapshot/pageCache';

describe('PageCache', () => {
  const page = (cache: PageCache, n: number) => cache.put(n).fill(n % 251);

  it('keeps at most its capacity, and what it keeps is what was put', () => {
    const cache = new PageCache(512, 16 * 512);
    for (let n = 1; n <= 100; n++) page(cache, n);
    assert.equal(cache.bytes, 16 * 512);
    let kept = 0;
    for (let n = 1; n <= 100; n++) {
      const got = cache.get(n);
      if (!got) continue;
      kept++;
      assert.ok(got.every((b) => b === n % 251), `page ${n} holds its own bytes`);
    }
    assert.equal(kept, 16);
  });

  it('lets go of a page not used lately before one in use (second chance)', () => {
    const cache = new PageCache(512, 16 * 512);
    for (let n = 1; n <= 16; n++) page(cache, n);
    // Page 17 makes the clock clear every mark and take the first slot (page 1's). Then pages 2-9
    // are used again, and two new pages take the slots of pages 10 and 11, unused since.
    page(cache, 17);
    assert.equal(cache.get(1), undefined);
    for (let n = 2; n <= 9; n++) cache.get(n);
    page(cache, 18);
    page(cache, 19);
    for (let n = 2; n <= 9; n++) assert.ok(cache.get(n), `page ${n}, used lately, is kept`);
    assert.equal(cache.get(10), undefined);
    assert.equal(cache.get(11), undefined);
    assert.ok(cache.get(18) && cache.get(19));
  });

  it('drop frees its slot for a new page; clear empties it', () => {
    const cache = new PageCache(512, 16 * 512);
    for (let n = 1; n <= 16; n++) page(cache, n);
    for (const n of [3, 10, 11, 12, 13, 14, 15, 16]) cache.drop(n);
    assert.equal(cache.get(3), undefined);
    assert.equal(cache.get(12), undefined);
    assert.equal(cache.bytes, 8 * 512);
    for (let n = 20; n < 28; n++) page(cache, n);
    for (const n of [1, 2, 4, 5, 6, 7, 8, 9]) assert.ok(cache.get(n), `page ${n} was not evicted while free slots remained`);
    cache.clear();
    assert.equal(cache.bytes, 0);
    assert.equal(cache.get(1), undefined);
  });
});
