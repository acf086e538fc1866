/**
 * MQTT 3.1.1 topic names and topic filters as pure functions: validity, matching, subsumption,
 * overlap and intersection. Filters are compared level by level (`/`-separated), with `+` one
 * level and `#` the parent level and any number of levels below it [MQTT-4.7.1-2].
 */

/** Longest topic in bytes: the UTF-8 string length field is 16 bits [MQTT-4.7.3-3]. */
const MAX_TOPIC_BYTES = 65535

function isDollar (level: string | undefined): boolean {
  return level !== undefined && level.startsWith('$')
}

function isWildcard (level: string | undefined): boolean {
  return level === '+' || level === '#'
}

function withinLength (s: string): boolean {
  return s.length > 0 && Buffer.byteLength(s, 'utf8') <= MAX_TOPIC_BYTES && !s.includes('\u0000')
}

/**
 * A topic name a client may publish to: non-empty, no wildcard characters [MQTT-3.3.2-2],
 * no NUL [MQTT-1.5.3-2], at most 65535 bytes.
 */
export function isValidTopic (topic: string): boolean {
  return withinLength(topic) && !topic.includes('+') && !topic.includes('#')
}

/**
 * A topic filter a client may subscribe to: `#` only alone as the last level [MQTT-4.7.1-2],
 * `+` only alone in its level [MQTT-4.7.1-3], non-empty [MQTT-4.7.3-1], no NUL.
 */
export function isValidFilter (filter: string): boolean {
  if (!withinLength(filter)) return false
  const levels = filter.split('/')
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? ''
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false
    if (level.includes('+') && level !== '+') return false
  }
  return true
}

/**
 * Does `filter` match the topic name `topic`? A filter starting with a wildcard never matches a
 * topic starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatches (filter: string, topic: string): boolean {
  return levelsMatch(filter.split('/'), topic.split('/'))
}

/** {@link topicMatches} on filters and topics already split into levels (the ACL's hot path). */
export function levelsMatch (filter: readonly string[], topic: readonly string[]): boolean {
  if (isWildcard(filter[0]) && isDollar(topic[0])) return false
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i]
    if (f === '#') return true
    if (i >= topic.length) return false
    if (f !== '+' && f !== topic[i]) return false
  }
  return filter.length === topic.length
}

/**
 * Is every topic matched by filter `inner` also matched by filter `outer`? (`salon/a/+` is within
 * `salon/a/#`; `#` is not within `salon/#`; `$SYS/x` is not within `#` [MQTT-4.7.2-1].)
 */
export function filterWithin (inner: string, outer: string): boolean {
  const a = inner.split('/')
  const b = outer.split('/')
  if (isWildcard(b[0]) && isDollar(a[0])) return false
  for (let i = 0; ; i++) {
    const x = a[i]
    const y = b[i]
    if (y === '#') return true
    if (x === undefined) return y === undefined
    if (y === undefined) return false
    if (x === '#') return false
    if (y === '+') continue
    if (x === '+' || x !== y) return false
  }
}

/**
 * The filter matching exactly the topics matched by both `a` and `b`, or null when no topic is
 * matched by both. (The intersection of two MQTT filters is always one filter or nothing.)
 */
export function intersectFilters (a: string, b: string): string | null {
  const x = a.split('/')
  const y = b.split('/')
  if ((isWildcard(x[0]) && isDollar(y[0])) || (isWildcard(y[0]) && isDollar(x[0]))) return null
  const out: string[] = []
  for (let i = 0; ; i++) {
    const p = x[i]
    const q = y[i]
    if (p === '#') return [...out, ...y.slice(i)].join('/')
    if (q === '#') return [...out, ...x.slice(i)].join('/')
    if (p === undefined || q === undefined) return p === q ? out.join('/') : null
    if (p === '+') out.push(q)
    else if (q === '+' || p === q) out.push(p)
    else return null
  }
}

/** Is there at least one topic that both filters match? */
export function filtersOverlap (a: string, b: string): boolean {
  return intersectFilters(a, b) !== null
}
