/** The packet tracer: `traceFlow(ruleset, packet, options)` and the types it speaks. */
export { traceFlow } from './engine.js';
export { prepareTrace } from './prepare.js';
export {
  buildPacket,
  tracePacket,
  PacketError,
  type PacketSpec,
  type BuiltPacket,
} from './packet.js';
export type * from './types.js';
