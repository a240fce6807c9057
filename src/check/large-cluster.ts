/**
 * kube-proxy's large-cluster mode: above 1000 endpoints it stops writing comments on endpoint
 * rules, so service names come only from chain hashes. Not a fault; worth knowing when reading.
 */
import type { KubeModel } from '../kube/model.js';
import { makeFinding } from './codes.js';
import { NO_LOCATION, type Finding } from './finding.js';

export function checkLargeClusterMode(kube: KubeModel): Finding[] {
  if (!kube.largeClusterMode) return [];
  return [
    makeFinding(
      'large-cluster-mode',
      "endpoint rules carry no comments: kube-proxy's large-cluster mode (more than 1000 endpoints); services are named from the chain graph and hashes",
      NO_LOCATION,
      [],
      [
        ...kube.limitations.filter((l) => l.includes('comment')),
        'kube-proxy omits comments on KUBE-SEP rules and on KUBE-SVC/SVL→SEP rules above 1000 endpoints (largeClusterEndpointsThreshold); other chains keep theirs',
      ],
    ),
  ];
}
