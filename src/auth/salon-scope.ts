/**
 * Salon isolation, independent of the role table: topics are `salon/{salonId}/…`, and a device
 * never publishes to, subscribes to or receives another salon's topics (issue "only their own
 * salon"). Pure functions over topic levels.
 */

/** Does a topic (split into levels) belong to a salon other than `salonId`? (`salon/B`, `salon/B/x`) */
export function isOtherSalonTopic (levels: readonly string[], salonId: string): boolean {
  return levels[0] === 'salon' && levels.length >= 2 && levels[1] !== salonId
}

/** The outcome of pinning a filter to one salon. */
export type PinResult =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'narrowed', readonly filter: string }
  | { readonly kind: 'other-salon', readonly salon: string }

/**
 * Pin a subscription filter to the salon `salonId` when it could match another salon's topics:
 * a wildcard in the salon level becomes the salon id, and a wildcard first level is read as
 * `salon` (`#` → `salon/S/#`, `+/#` → `salon/S/#`, `salon/+/+/#` → `salon/S/+/#`,
 * `+/+/receipts/ready` → `salon/S/receipts/ready`). A filter naming another salon in the salon
 * level (`salon/B/#`, `+/B/#`) cannot be narrowed. Filters that cannot reach any salon topic
 * (`$SYS/#`, `checkin/client`, `salon`) are unchanged.
 */
export function pinToSalon (levels: readonly string[], salonId: string): PinResult {
  const [first, second] = levels
  if (first === '#') return { kind: 'narrowed', filter: `salon/${salonId}/#` }
  if ((first !== 'salon' && first !== '+') || second === undefined) return { kind: 'unchanged' }
  if (second === '#') return { kind: 'narrowed', filter: `salon/${salonId}/#` }
  if (second === '+' || (second === salonId && first === '+')) {
    return { kind: 'narrowed', filter: ['salon', salonId, ...levels.slice(2)].join('/') }
  }
  if (second === salonId) return { kind: 'unchanged' }
  return { kind: 'other-salon', salon: second }
}
