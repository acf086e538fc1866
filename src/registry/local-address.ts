/**
 * Which IPv4 address the hub advertises in `salon_devices.local_ip`. Pure: the caller reads
 * `os.networkInterfaces()` and `/proc/net/route` and passes them in, so every rule is
 * unit-tested with literal fixtures.
 *
 * Order of choice:
 * 1. `registry.advertiseAddress` when set;
 * 2. on Linux, the first IPv4 of the interface that carries the default route (lowest metric);
 * 3. otherwise the first private-range IPv4 (10/8, 172.16/12, 192.168/16) of a non-internal,
 *    non-virtual interface (Docker, bridges, veth, VPN and hypervisor adapters are skipped),
 *    sorted by interface name then address so the answer is the same on every run;
 * 4. none: `address` is null and the hub does not advertise itself.
 */

/** One entry of `os.networkInterfaces()` as this module reads it (Node 18.0 reported `family` as a number). */
export interface InterfaceAddress {
  readonly address: string
  readonly family: string | number
  readonly internal: boolean
}

/** The shape of `os.networkInterfaces()`. */
export type InterfaceTable = Readonly<Record<string, readonly InterfaceAddress[] | undefined>>

/** The address chosen, with where it came from (for `/registration` and the log). */
export interface LocalAddress {
  readonly address: string | null
  readonly interface: string | null
  readonly source: 'override' | 'default-route' | 'fallback' | 'none'
}

/** Interface names of container bridges, virtual Ethernet pairs, VPN tunnels and hypervisor adapters. */
const VIRTUAL_INTERFACE = /^(lo\d*$|docker|br-|veth|virbr|vmnet|vboxnet|vnet|tun|tap|utun|wg|zt|tailscale|cni|flannel|cali|kube|podman|lxc|lxdbr|incusbr|gif|stf|awdl|llw|bridge|vethernet|virtualbox|vmware|hyper-v)/i

const RTF_UP = 0x1

function isIPv4 (entry: InterfaceAddress): boolean {
  return entry.family === 'IPv4' || entry.family === 4
}

function octets (address: string): [number, number, number, number] | null {
  const parts = address.split('.')
  if (parts.length !== 4) return null
  const out: number[] = []
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null
    const n = Number(part)
    if (n > 255) return null
    out.push(n)
  }
  return out as [number, number, number, number]
}

/** True for RFC 1918 addresses (the ranges a salon's LAN uses). */
export function isPrivateIPv4 (address: string): boolean {
  const o = octets(address)
  if (o === null) return false
  return o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168)
}

function isLinkLocal (address: string): boolean {
  const o = octets(address)
  return o !== null && o[0] === 169 && o[1] === 254
}

function numeric (address: string): number {
  const o = octets(address) ?? [0, 0, 0, 0]
  return ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]
}

/** True when an interface name belongs to a container bridge, VPN or hypervisor adapter. */
export function isVirtualInterface (name: string): boolean {
  return VIRTUAL_INTERFACE.test(name)
}

/**
 * The interface of the default route in the text of Linux `/proc/net/route`: destination and
 * mask 0.0.0.0, flag RTF_UP, lowest metric (the first listed on a tie). Null when there is none.
 */
export function parseDefaultRouteInterface (procNetRoute: string): string | null {
  let best: { name: string, metric: number } | null = null
  for (const line of procNetRoute.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    const [name, destination, , flags, , , metric, mask] = fields
    if (name === undefined || destination === undefined || flags === undefined || metric === undefined || mask === undefined) continue
    if (destination !== '00000000' || mask !== '00000000') continue
    if ((Number.parseInt(flags, 16) & RTF_UP) === 0) continue
    const m = Number.parseInt(metric, 10)
    if (!Number.isFinite(m)) continue
    if (best === null || m < best.metric) best = { name, metric: m }
  }
  return best?.name ?? null
}

function usableIPv4 (entries: readonly InterfaceAddress[] | undefined): string[] {
  return (entries ?? [])
    .filter((e) => isIPv4(e) && !e.internal && octets(e.address) !== null && !isLinkLocal(e.address))
    .map((e) => e.address)
    .sort((a, b) => numeric(a) - numeric(b))
}

/** Choose the address to advertise; see the module comment for the rules. */
export function selectLocalAddress (input: {
  readonly interfaces: InterfaceTable
  readonly defaultRouteInterface: string | null
  readonly override: string | null
}): LocalAddress {
  if (input.override !== null && input.override !== '') {
    return { address: input.override, interface: null, source: 'override' }
  }
  if (input.defaultRouteInterface !== null) {
    const candidates = usableIPv4(input.interfaces[input.defaultRouteInterface])
    const address = candidates.find(isPrivateIPv4) ?? candidates[0]
    if (address !== undefined) return { address, interface: input.defaultRouteInterface, source: 'default-route' }
  }
  const names = Object.keys(input.interfaces).filter((n) => !isVirtualInterface(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const name of names) {
    const address = usableIPv4(input.interfaces[name]).find(isPrivateIPv4)
    if (address !== undefined) return { address, interface: name, source: 'fallback' }
  }
  return { address: null, interface: null, source: 'none' }
}
