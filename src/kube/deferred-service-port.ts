/**
 * A service port whose chains, ladders and endpoints are read when one of those fields is first
 * read. The browser's first screen lists every service port by name and address; on a dump of
 * 25,000 services, building every ladder and endpoint before showing it takes seconds.
 */
import type {
  Endpoint,
  EndpointsStatus,
  EntryRule,
  FilterRule,
  KubeUnknown,
  KubeWarning,
  Ladder,
  MasqueradeFacts,
  ServiceChains,
  ServiceIdentity,
  ServicePort,
  ServiceProtocol,
  ServiceType,
  SessionAffinity,
  TrafficPolicy,
} from './model.js';
import type { Rule } from '../model/rule.js';
import type { BuiltServicePort, ServicePortSummary } from './service-port.js';

export class DeferredServicePort implements ServicePort {
  readonly identity: ServiceIdentity;
  readonly type: ServiceType;
  readonly protocol: ServiceProtocol | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  readonly nodePorts: readonly number[];
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly entryRules: readonly EntryRule[];
  readonly filterRules: readonly FilterRule[];
  #built: BuiltServicePort | null = null;
  readonly #build: () => BuiltServicePort;
  /** Warnings that need the other service ports (duplicate tuples), added after its own. */
  #laterWarnings: readonly KubeWarning[] = [];

  /** `summary` null: only the chains can tell, so the port is built now. */
  constructor(summary: ServicePortSummary | null, build: () => BuiltServicePort) {
    this.#build = build;
    const s = summary ?? this.built().service;
    this.identity = s.identity;
    this.type = s.type;
    this.protocol = s.protocol;
    this.clusterIP = s.clusterIP;
    this.port = s.port;
    this.nodePorts = s.nodePorts;
    this.externalIPs = s.externalIPs;
    this.loadBalancerIPs = s.loadBalancerIPs;
    this.entryRules = s.entryRules;
    this.filterRules = s.filterRules;
  }

  /** Whether the chains were read (for work done in the background a piece at a time). */
  get isBuilt(): boolean {
    return this.#built !== null;
  }

  built(): BuiltServicePort {
    if (this.#built === null) {
      const built = this.#build();
      (built.service.warnings as KubeWarning[]).push(...this.#laterWarnings);
      this.#built = built;
    }
    return this.#built;
  }

  /**
   * Warnings that need every service port's summary (a tuple an earlier port claims), to follow
   * the port's own; known only once all ports exist, so given after construction.
   */
  addLaterWarnings(warnings: readonly KubeWarning[]): void {
    if (this.#built !== null) (this.#built.service.warnings as KubeWarning[]).push(...warnings);
    else this.#laterWarnings = warnings;
  }

  private get details(): ServicePort {
    return this.built().service;
  }

  get loadBalancerSourceRanges(): readonly string[] {
    return this.details.loadBalancerSourceRanges;
  }
  get sessionAffinity(): SessionAffinity | null {
    return this.details.sessionAffinity;
  }
  get externalTrafficPolicy(): TrafficPolicy | null {
    return this.details.externalTrafficPolicy;
  }
  get internalTrafficPolicy(): TrafficPolicy | null {
    return this.details.internalTrafficPolicy;
  }
  get healthCheckNodePort(): number | null {
    return this.details.healthCheckNodePort;
  }
  get masquerade(): MasqueradeFacts {
    return this.details.masquerade;
  }
  get chains(): ServiceChains {
    return this.details.chains;
  }
  get markDropRules(): readonly Rule[] {
    return this.details.markDropRules;
  }
  get ladders(): readonly Ladder[] {
    return this.details.ladders;
  }
  get endpoints(): readonly Endpoint[] {
    return this.details.endpoints;
  }
  get endpointsStatus(): EndpointsStatus {
    return this.details.endpointsStatus;
  }
  get traffic(): ServicePort['traffic'] {
    return this.details.traffic;
  }
  get warnings(): readonly KubeWarning[] {
    return this.details.warnings;
  }
  get unknowns(): readonly KubeUnknown[] {
    return this.details.unknowns;
  }
}
