import aedesPacket from 'aedes-packet'
import { type AedesPacket } from './client-internals.js'

/**
 * aedes-packet's constructor, typed as it behaves at run time (its bundled typings declare a
 * namespace). It stamps a packet with the broker id and the next broker counter.
 */
export const Packet = aedesPacket as unknown as new (original: object, broker?: { id: string, counter: number }) => AedesPacket
