/**
 * Who a group of service chains belongs to. The names come from comments (labels); the chain
 * hash kube-proxy derives from the name decides whether a name is right, and recovers names of
 * comment-less chains from names seen elsewhere in the dump (or every cluster's well-known ones).
 */
import type { CommentName } from './comments.js';
import { WELL_KNOWN_SERVICE_PORT_NAMES, serviceNameInComment } from './comments.js';
import type { ServiceIdentity, ServiceProtocol } from './model.js';
import { serviceChainHash } from './naming.js';

const PROTOCOLS: readonly ServiceProtocol[] = ['tcp', 'udp', 'sctp'];

export interface HashCandidate {
  readonly name: CommentName;
  readonly protocol: ServiceProtocol;
}

/**
 * hash16 of every svcPortName the dump mentions (and the well-known ones), per protocol. The
 * hashes (three sha256 per name) are computed when first looked up: most dumps carry comments
 * and never need them.
 */
export class HashDirectory {
  private readonly byHash = new Map<string, HashCandidate>();
  private readonly seen = new Set<string>();
  /** Names added since the last lookup, in order, their hashes not computed yet. */
  private readonly pending: CommentName[] = [];
  private readonly fromDump: string[] = [];
  private readonly fromDumpSet = new Set<string>();

  constructor() {
    for (const text of WELL_KNOWN_SERVICE_PORT_NAMES) {
      const name = serviceNameInComment(text);
      if (name !== null) this.add(name, false);
    }
  }

  /** svcPortNames the dump's comments mention (not the well-known ones), first-seen order. */
  mentioned(): readonly string[] {
    return this.fromDump;
  }

  add(name: CommentName, fromDump = true): void {
    if (fromDump && !this.fromDumpSet.has(name.text)) {
      this.fromDumpSet.add(name.text);
      this.fromDump.push(name.text);
    }
    if (this.seen.has(name.text)) return;
    this.seen.add(name.text);
    this.pending.push(name);
  }

  lookup(hash: string): HashCandidate | null {
    // The first name (in the order added) to produce a hash keeps it.
    for (const name of this.pending) {
      for (const protocol of PROTOCOLS) {
        const h = serviceChainHash(name.text, protocol);
        if (!this.byHash.has(h)) this.byHash.set(h, { name, protocol });
      }
    }
    this.pending.length = 0;
    return this.byHash.get(hash) ?? null;
  }
}

export interface IdentityInput {
  readonly hash: string | null;
  /** Names from the comments of the group's rules, most authoritative first. */
  readonly names: readonly CommentName[];
  readonly protocol: ServiceProtocol | null;
  /** `IP:PORT` of the first entry point (or `NodePort N`), for a label when nothing else is known. */
  readonly tuple: string | null;
  /** A chain of the group, for a label when nothing else is known. */
  readonly chainName: string | null;
}

export interface IdentityResult {
  readonly identity: ServiceIdentity;
  /** Comment names that disagree with the chain hash. */
  readonly mismatched: readonly CommentName[];
  readonly protocol: ServiceProtocol | null;
}

function idOf(name: CommentName, protocol: ServiceProtocol | null): string {
  const base = `${name.namespace}/${name.name}${name.portName !== '' ? `:${name.portName}` : ''}`;
  return protocol === null ? base : `${base}/${protocol}`;
}

function labelOf(name: CommentName): string {
  return `${name.namespace}/${name.name}${name.portName !== '' ? `:${name.portName}` : ''}`;
}

function fromName(
  name: CommentName,
  protocol: ServiceProtocol | null,
  hash: string | null,
  source: ServiceIdentity['source'],
): ServiceIdentity {
  return {
    namespace: name.namespace,
    name: name.name,
    portName: name.portName,
    protocol,
    id: idOf(name, protocol),
    label: labelOf(name),
    chainHash: hash,
    source,
    hashInput: name.text,
    trailingColon: name.trailingColon,
  };
}

/**
 * `directory` is asked for only when no comment names the chains: building it means reading the
 * comments of the whole dump.
 */
export function resolveIdentity(
  input: IdentityInput,
  directory: () => HashDirectory,
): IdentityResult {
  const { hash } = input;
  const distinct: CommentName[] = [];
  for (const n of input.names) if (!distinct.some((d) => d.text === n.text)) distinct.push(n);

  if (hash !== null) {
    const protocols = input.protocol !== null ? [input.protocol] : PROTOCOLS;
    for (const name of distinct) {
      for (const protocol of protocols) {
        if (serviceChainHash(name.text, protocol) === hash) {
          return {
            identity: fromName(name, protocol, hash, 'comment'),
            mismatched: distinct.filter((d) => d.text !== name.text),
            protocol,
          };
        }
      }
    }
    if (distinct.length === 0) {
      const found = directory().lookup(hash);
      if (found !== null && (input.protocol === null || input.protocol === found.protocol)) {
        return {
          identity: fromName(found.name, found.protocol, hash, 'hash'),
          mismatched: [],
          protocol: found.protocol,
        };
      }
    }
  }
  if (distinct.length > 0) {
    return {
      identity: fromName(distinct[0], input.protocol, hash, 'comment-unverified'),
      mismatched: hash !== null ? distinct : [],
      protocol: input.protocol,
    };
  }
  const proto = input.protocol;
  const id =
    hash !== null
      ? `hash:${hash}`
      : input.tuple !== null
        ? `${input.tuple.startsWith('NodePort ') ? `nodeport:${input.tuple.slice(9)}` : `ip:${input.tuple}`}${proto !== null ? `/${proto}` : ''}`
        : `chain:${input.chainName ?? '?'}`;
  const label =
    input.tuple !== null
      ? `${input.tuple}${proto !== null ? `/${proto}` : ''}`
      : (input.chainName ?? (hash !== null ? `KUBE-SVC-${hash}` : '?'));
  return {
    identity: {
      namespace: null,
      name: null,
      portName: null,
      protocol: proto,
      id,
      label,
      chainHash: hash,
      source: 'none',
      hashInput: null,
      trailingColon: false,
    },
    mismatched: [],
    protocol: proto,
  };
}
