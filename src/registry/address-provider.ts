import { readFile } from 'node:fs/promises'
import { networkInterfaces } from 'node:os'
import { parseDefaultRouteInterface, selectLocalAddress, type LocalAddress } from './local-address.js'

/** Something that tells the registry which address to advertise now (read before every write). */
export type AddressProvider = () => Promise<LocalAddress>

/** The Linux routing table; other systems have none, and the fallback rule applies. */
const PROC_NET_ROUTE = '/proc/net/route'

async function defaultRouteInterface (): Promise<string | null> {
  if (process.platform !== 'linux') return null
  try {
    return parseDefaultRouteInterface(await readFile(PROC_NET_ROUTE, 'utf8'))
  } catch {
    // No procfs (a sandbox or a container without /proc): the fallback rule still picks an address.
    return null
  }
}

/**
 * The address provider of a running hub: `override` (registry.advertiseAddress) when set, else
 * the machine's interfaces and default route read afresh each time, so a DHCP renewal that
 * changes the address is picked up by the next heartbeat.
 */
export function systemAddressProvider (override: string | null): AddressProvider {
  return async () => {
    if (override !== null) return selectLocalAddress({ interfaces: {}, defaultRouteInterface: null, override })
    return selectLocalAddress({ interfaces: networkInterfaces(), defaultRouteInterface: await defaultRouteInterface(), override: null })
  }
}
