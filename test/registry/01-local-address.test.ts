// Which LAN IPv4 does the hub advertise, given the machine's interfaces and default route (no real network)?
import t from 'tap'
import { isPrivateIPv4, isVirtualInterface, parseDefaultRouteInterface, selectLocalAddress, type InterfaceTable } from '../../src/registry/local-address.js'

const lo = [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '::1', family: 'IPv6', internal: true }]

/** A salon PC on Wi-Fi with Docker installed (docker0 and a compose bridge), as `os.networkInterfaces()` reports it. */
const salonPc: InterfaceTable = {
  lo,
  docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
  'br-3f2a9c1d2e4b': [{ address: '172.18.0.1', family: 'IPv4', internal: false }],
  veth1a2b3c: [{ address: 'fe80::1', family: 'IPv6', internal: false }],
  wlp2s0: [
    { address: 'fe80::aa:bb', family: 'IPv6', internal: false },
    { address: '192.168.1.23', family: 'IPv4', internal: false }
  ]
}

const ROUTE_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT'

t.test('the default route of /proc/net/route is found by destination and mask 0.0.0.0', async (t) => {
  const text = [
    ROUTE_HEADER,
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    'wlp2s0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0',
    ''
  ].join('\n')
  t.equal(parseDefaultRouteInterface(text), 'wlp2s0')
})

t.test('with two default routes the lowest metric wins, and a route that is down is ignored', async (t) => {
  const text = [
    ROUTE_HEADER,
    'wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    'enp3s0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
    'tun0\t00000000\t00000000\t0002\t0\t0\t0\t00000000\t0\t0\t0'
  ].join('\n')
  t.equal(parseDefaultRouteInterface(text), 'enp3s0')
})

t.test('no default route (or an empty or malformed table) gives null', async (t) => {
  t.equal(parseDefaultRouteInterface(`${ROUTE_HEADER}\neth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`), null)
  t.equal(parseDefaultRouteInterface(''), null)
  t.equal(parseDefaultRouteInterface(`${ROUTE_HEADER}\ngarbage\n`), null)
})

t.test('the address of the default route\'s interface is chosen, not a Docker bridge', async (t) => {
  t.same(selectLocalAddress({ interfaces: salonPc, defaultRouteInterface: 'wlp2s0', override: null }),
    { address: '192.168.1.23', interface: 'wlp2s0', source: 'default-route' })
})

t.test('registry.advertiseAddress overrides detection', async (t) => {
  t.same(selectLocalAddress({ interfaces: salonPc, defaultRouteInterface: 'wlp2s0', override: '10.0.0.9' }),
    { address: '10.0.0.9', interface: null, source: 'override' })
})

t.test('without a default route, the first private IPv4 of a non-virtual interface is chosen, sorted by name', async (t) => {
  const interfaces: InterfaceTable = {
    lo,
    docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
    wlan0: [{ address: '192.168.1.40', family: 'IPv4', internal: false }],
    eth1: [{ address: '10.1.2.3', family: 'IPv4', internal: false }],
    eth0: [{ address: '192.168.0.7', family: 'IPv4', internal: false }, { address: '192.168.0.5', family: 'IPv4', internal: false }]
  }
  t.same(selectLocalAddress({ interfaces, defaultRouteInterface: null, override: null }),
    { address: '192.168.0.5', interface: 'eth0', source: 'fallback' })
})

t.test('the fallback is deterministic whatever the order of the interface table', async (t) => {
  const a: InterfaceTable = { en1: [{ address: '192.168.5.2', family: 'IPv4', internal: false }], en0: [{ address: '192.168.5.9', family: 'IPv4', internal: false }] }
  const b: InterfaceTable = { en0: [{ address: '192.168.5.9', family: 'IPv4', internal: false }], en1: [{ address: '192.168.5.2', family: 'IPv4', internal: false }] }
  t.same(selectLocalAddress({ interfaces: a, defaultRouteInterface: null, override: null }), selectLocalAddress({ interfaces: b, defaultRouteInterface: null, override: null }))
  t.equal(selectLocalAddress({ interfaces: a, defaultRouteInterface: null, override: null }).interface, 'en0')
})

t.test('the fallback skips public, link-local, loopback, IPv6 and virtual-interface addresses', async (t) => {
  const interfaces: InterfaceTable = {
    lo,
    eth0: [{ address: '169.254.10.1', family: 'IPv4', internal: false }, { address: 'fd00::5', family: 'IPv6', internal: false }],
    eth1: [{ address: '203.0.113.8', family: 'IPv4', internal: false }],
    'vEthernet (WSL)': [{ address: '172.29.160.1', family: 'IPv4', internal: false }],
    virbr0: [{ address: '192.168.122.1', family: 'IPv4', internal: false }],
    tailscale0: [{ address: '100.101.102.103', family: 'IPv4', internal: false }]
  }
  t.same(selectLocalAddress({ interfaces, defaultRouteInterface: null, override: null }), { address: null, interface: null, source: 'none' })
})

t.test('Node 18.0 numeric families are understood', async (t) => {
  const interfaces: InterfaceTable = { eth0: [{ address: '10.0.0.4', family: 4, internal: false }] }
  t.equal(selectLocalAddress({ interfaces, defaultRouteInterface: 'eth0', override: null }).address, '10.0.0.4')
})

t.test('a default-route interface without a usable IPv4 falls back to the other interfaces', async (t) => {
  const interfaces: InterfaceTable = { ppp0: [{ address: 'fe80::1', family: 'IPv6', internal: false }], eth0: [{ address: '192.168.2.2', family: 'IPv4', internal: false }] }
  t.same(selectLocalAddress({ interfaces, defaultRouteInterface: 'ppp0', override: null }), { address: '192.168.2.2', interface: 'eth0', source: 'fallback' })
})

t.test('a default-route interface with several addresses prefers a private one', async (t) => {
  const interfaces: InterfaceTable = { eth0: [{ address: '198.51.100.4', family: 'IPv4', internal: false }, { address: '192.168.9.9', family: 'IPv4', internal: false }] }
  t.equal(selectLocalAddress({ interfaces, defaultRouteInterface: 'eth0', override: null }).address, '192.168.9.9')
})

t.test('private ranges are exactly RFC 1918', async (t) => {
  for (const a of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1']) t.ok(isPrivateIPv4(a), `${a} is private`)
  for (const a of ['172.15.0.1', '172.32.0.1', '192.169.0.1', '100.64.0.1', '8.8.8.8', '1.2.3', '256.1.1.1', 'a.b.c.d']) t.notOk(isPrivateIPv4(a), `${a} is not private`)
})

t.test('container, VPN and hypervisor interfaces are recognised as virtual', async (t) => {
  for (const n of ['docker0', 'br-0a1b', 'veth9', 'virbr0', 'vmnet8', 'vboxnet0', 'tun0', 'wg0', 'utun3', 'tailscale0', 'vEthernet (Default Switch)', 'cni0', 'lo', 'lo0']) t.ok(isVirtualInterface(n), `${n} is virtual`)
  for (const n of ['eth0', 'enp3s0', 'wlp2s0', 'wlan0', 'en0', 'Ethernet', 'Wi-Fi', 'Local Area Connection']) t.notOk(isVirtualInterface(n), `${n} is a real adapter`)
})
