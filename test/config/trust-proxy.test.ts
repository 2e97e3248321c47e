/**
 * `http.trustProxy` names the proxies that may state the client's address. A value that trusts any sender of
 * X-Forwarded-For is refused however it is written: `true`, ranges as wide as the whole address space in a few
 * pieces, an IPv4-mapped range that spans all of IPv4, or a hop count beyond any real chain of proxies.
 */
import { expect } from 'chai';
import express from 'express';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const load = (trustProxy: unknown) => loadConfig({ env: {}, overrides: { 'http.trustProxy': trustProxy } });

function refusal(trustProxy: unknown): string {
  try {
    load(trustProxy);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(trustProxy)} was accepted`);
}

describe('config: http.trustProxy', () => {
  it('refuses values that would trust anyone, naming the setting and the entry', () => {
    const refused: unknown[] = [
      true,
      ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'],
      '0.0.0.0/0',
      '10.0.0.0/7',
      '10.0.0.0/254.0.0.0',
      '10.0.0.1, 0.0.0.0/1',
      ['loopback', '2000::/3'],
      '::/15',
      '::ffff:0.0.0.0/96',
      '::ffff:0:0/100',
      32,
      6,
    ];
    for (const value of refused) expect(refusal(value), JSON.stringify(value)).to.contain('http.trustProxy');
    expect(refusal('0.0.0.0/1')).to.contain('0.0.0.0/1');
    expect(refusal(32)).to.match(/at most 5/);
  });

  it('refuses what is no address, range or named range, rather than failing at start-up', () => {
    for (const value of [
      'proxy.example',
      '10.0.0.0/33',
      '10.0.0.0/255.0.255.0',
      '2',
      '',
      [''],
      ['10.0.0.1, 10.0.0.2'],
    ])
      expect(refusal(value), JSON.stringify(value)).to.contain('http.trustProxy');
  });

  it('accepts a proxy named by address, range, mask, name or a small hop count, as express reads them', () => {
    const accepted: unknown[] = [
      false,
      1,
      5,
      'loopback',
      'uniquelocal',
      'linklocal',
      '10.0.0.0/8',
      '10.0.0.0/255.0.0.0',
      '192.0.2.10',
      '192.0.2.10, 192.0.2.11',
      ['loopback', '172.16.0.0/12', 'fd00::/16', '2001:db8::/32', '::1', '::ffff:10.0.0.0/104'],
    ];
    for (const value of accepted) {
      const config = load(value);
      expect(config.http.trustProxy, JSON.stringify(value)).to.deep.equal(value);
      // express compiles it without complaint.
      if (value !== false) express().set('trust proxy', config.http.trustProxy);
    }
  });
});
