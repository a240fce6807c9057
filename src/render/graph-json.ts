/** `graph --json`: the chain graph as data, for other tools to draw. */
import type { ChainGraph } from '../graph/model.js';

export const GRAPH_JSON_VERSION = 1;

export function graphToJson(graph: ChainGraph): { readonly version: number } & ChainGraph {
  return { version: GRAPH_JSON_VERSION, ...graph };
}
