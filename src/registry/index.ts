/** Supabase registration of the hub and mirroring of enrolled devices (`salon_devices`). */
export { createRegistry, type RegistryOptions } from './registry.js'
export { type AdvertisedPorts, type Registry, type RegistryFailure, type RegistryState, type RegistryStatus } from './types.js'
export { systemAddressProvider, type AddressProvider } from './address-provider.js'
export { selectLocalAddress, parseDefaultRouteInterface, isPrivateIPv4, isVirtualInterface, type LocalAddress, type InterfaceTable, type InterfaceAddress } from './local-address.js'
export { RegistryWriteError } from './table-writer.js'
