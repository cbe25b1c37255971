// The address a listen() would have bound without the probe, and which
// bindings collide. Pure functions: they read no state of the program.

import net from 'node:net';
import os from 'node:os';

export interface AsIf {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
  /** An IPv6 bind with ipv6Only (UV_TCP_IPV6ONLY in `flags`): it does not take IPv4. */
  v6only: boolean;
}

const UV_TCP_IPV6ONLY = 1;

/**
 * lib/net.js setupListenHandle: no address means '::' when the IPv6 bind works
 * and '0.0.0.0' otherwise; a kernel without IPv6 has no IPv6 interface address,
 * which is what is checked here (the probe cannot try a bind of its own).
 */
export function addressAsIf(address: string | null, addressType: number, flags: unknown, port: number): AsIf {
  const v6only = (Number(flags) & UV_TCP_IPV6ONLY) !== 0;
  if (!address) {
    return hasIPv6() ? { address: '::', family: 'IPv6', port, v6only } : { address: '0.0.0.0', family: 'IPv4', port, v6only: false };
  }
  return addressType === 6 ? { address, family: 'IPv6', port, v6only } : { address, family: 'IPv4', port, v6only: false };
}

function hasIPv6(): boolean {
  return Object.values(os.networkInterfaces()).some((entries) => entries?.some((entry) => entry.family === 'IPv6'));
}

/**
 * Unspecified, IPv4 loopback (Linux routes all of 127.0.0.0/8 to lo), or an
 * address of one of this machine's interfaces ('::1' only where lo has it: a
 * container without IPv6 refuses that bind, and so does Node without the probe).
 */
export function isLocal(address: string): boolean {
  const plain = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  if (plain === '0.0.0.0' || plain === '::' || plain.startsWith('127.')) return true;
  return Object.values(os.networkInterfaces()).some((entries) => entries?.some((entry) => entry.address.toLowerCase() === plain));
}

/**
 * The addresses a connect() to `host` reaches on this machine: 'localhost' is
 * both loopbacks (Node 20 tries each family, net.connect autoSelectFamily), the
 * unspecified addresses mean loopback on Linux, an IP is itself. Other names
 * would need a lookup: none, so such a connect is left alone.
 */
export function connectTargets(host: string, port: number): AsIf[] {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const address = name === 'localhost' ? null : name === '0.0.0.0' ? '127.0.0.1' : name === '::' ? '::1' : name;
  if (address === null) return [{ address: '127.0.0.1', family: 'IPv4', port, v6only: false }, { address: '::1', family: 'IPv6', port, v6only: false }];
  const family = net.isIP(address);
  return family === 0 ? [] : [{ address, family: family === 6 ? 'IPv6' : 'IPv4', port, v6only: false }];
}

/** The (family, address) pairs a binding takes; '*' is every address of the family. */
function takes(binding: AsIf): Array<[4 | 6, string]> {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(binding.address);
  if (mapped) return [[4, mapped[1]]];
  if (binding.address === '0.0.0.0') return [[4, '*']];
  if (binding.address === '::') return binding.v6only ? [[6, '*']] : [[4, '*'], [6, '*']];
  return [[binding.family === 'IPv6' ? 6 : 4, binding.address.toLowerCase()]];
}

/** Two listening bindings on one port collide when they share an address, or one takes them all (Linux, SO_REUSEADDR). */
export function bindingsOverlap(a: AsIf, b: AsIf): boolean {
  return takes(a).some(([familyA, addressA]) =>
    takes(b).some(([familyB, addressB]) => familyA === familyB && (addressA === '*' || addressB === '*' || addressA === addressB)));
}
