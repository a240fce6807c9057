/** Short texts for what a rule's target does, as trace steps show them. */
import type { Target } from '../model/targets.js';

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export function describeTarget(target: Target | null): string {
  if (target === null) return '(no target: only counts)';
  switch (target.kind) {
    case 'chain':
      return target.goto ? `goto ${target.chain}` : target.chain;
    case 'verdict':
      return target.name;
    case 'dnat':
      return `DNAT ${target.destinations.map((d) => d.text).join(' ')}`.trim();
    case 'snat':
      return `SNAT ${target.sources.map((d) => d.text).join(' ')}`.trim();
    case 'masquerade':
      return target.randomFully ? 'MASQUERADE --random-fully' : 'MASQUERADE';
    case 'redirect':
      return target.toPorts !== null ? `REDIRECT to port ${target.toPorts.from}` : 'REDIRECT';
    case 'mark': {
      if (target.value === null || target.mask === null) return target.name;
      if (target.mask === target.value) return `${target.name} or ${hex(target.value)}`;
      if (target.mask === 0) return `${target.name} xor ${hex(target.value)}`;
      return `${target.name} set ${hex(target.value)}/${hex(target.mask)}`;
    }
    case 'reject':
      return `REJECT ${target.rejectWith}`;
    case 'log':
      return target.prefix !== null ? `${target.name} "${target.prefix}"` : target.name;
    case 'generic':
      return target.name;
  }
}
