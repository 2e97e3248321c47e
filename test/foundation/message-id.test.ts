import { expect } from 'chai';
import { messageIdTime, newMessageId } from '../../src/core/message-id.js';
import { randomSlice } from '../../src/core/random-pool.js';

describe('new MessageIDs (newMessageId)', () => {
  it('are lowercase version-1 UUIDs of the time they were made, as the gateway reads them back', () => {
    const before = Date.now();
    const id = newMessageId();
    const after = Date.now();
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIdTime(id)).to.be.within(before, after);
  });

  it('differ when made in the same millisecond, across several pools of random bytes', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newMessageId()));
    expect(ids.size).to.equal(5000);
  });
});

describe('the random pool (randomSlice)', () => {
  it('hands out slices that never share bytes, also across a refill', () => {
    const slices = Array.from({ length: 600 }, () => randomSlice(16));
    const buffers = new Set(slices.map((slice) => slice.buffer));
    expect(buffers.size, 'more than one pool drawn').to.be.greaterThan(1);
    for (const buffer of buffers) {
      const ranges = slices
        .filter((slice) => slice.buffer === buffer)
        .map((slice) => [slice.byteOffset, slice.byteOffset + slice.length] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++)
        expect(ranges[i]?.[0]).to.be.at.least(ranges[i - 1]?.[1] ?? Infinity);
    }
    expect(new Set(slices.map((slice) => slice.toString('hex'))).size).to.equal(600);
  });

  it('refuses a request larger than a pool', () => {
    expect(() => randomSlice(4097)).to.throw(RangeError);
  });
});
