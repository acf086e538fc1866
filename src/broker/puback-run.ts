/**
 * A chunk that is nothing but whole PUBACKs, as a subscriber sends them while a queue drains or
 * under steady QoS 1 load. The hub handles such a chunk itself (`create-broker.ts`) instead of
 * through mqtt-packet's parser and aedes' handler, a promise and an event per packet: about a
 * fifth of a 10,000-message drain's CPU. Anything else in the chunk leaves it to the normal path.
 * Pure.
 */

/** PUBACK's fixed header: type 4, no flags, remaining length 2 [MQTT-3.4]. */
const PUBACK = 0x40
const PUBACK_LENGTH = 4

/** The packet ids of a chunk made only of whole PUBACKs; null for any other chunk. */
export function pubackRun (chunk: Uint8Array): number[] | null {
  if (chunk.length === 0 || chunk.length % PUBACK_LENGTH !== 0) return null
  const ids: number[] = []
  for (let i = 0; i < chunk.length; i += PUBACK_LENGTH) {
    if (chunk[i] !== PUBACK || chunk[i + 1] !== 2) return null
    ids.push(((chunk[i + 2] as number) << 8) | (chunk[i + 3] as number))
  }
  return ids
}
