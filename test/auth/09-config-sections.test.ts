// Do the auth, acl and envelope config sections give every key a default and a description, fill defaults, and reject unknown keys and bad values?
import t from 'tap'
import { Ajv } from 'ajv'
import { aclSection, DEFAULT_ACL_ROLES, type AclSection } from '../../src/config/sections/acl.js'
import { authSection, type AuthSection } from '../../src/config/sections/auth.js'
import { envelopeSection, type EnvelopeSection } from '../../src/config/sections/envelope.js'

/** The same options as the hub's config validator. */
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })
const sections = { auth: authSection, acl: aclSection, envelope: envelopeSection }

/** Compile a section as the hub does: as a property of the root schema. */
function compile (name: string, section: object): (value: object) => { ok: boolean, value: unknown, errors: Array<{ instancePath: string, keyword: string }> } {
  const validate = ajv.compile({ type: 'object', additionalProperties: false, properties: { [name]: section } })
  return (value) => {
    const root = { [name]: value }
    const ok = validate(root)
    return { ok, value: root[name], errors: (validate.errors ?? []).map((e) => ({ instancePath: e.instancePath.replace(`/${name}`, ''), keyword: e.keyword })) }
  }
}

interface Node { type?: unknown, properties?: Record<string, Node>, items?: Node, default?: unknown, description?: unknown, additionalProperties?: unknown, required?: readonly string[] }

function walk (node: Node, path: string, visit: (node: Node, path: string, required: boolean) => void, required = false): void {
  visit(node, path, required)
  for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${key}`, visit, node.required?.includes(key) ?? false)
  if (node.items !== undefined) walk(node.items, `${path}[]`, visit)
}

t.test('every key has a default and a description, and every object refuses unknown keys', async (t) => {
  for (const [name, section] of Object.entries(sections)) {
    walk(section as Node, name, (node, path, required) => {
      if (node.type === 'object') t.equal(node.additionalProperties, false, `${path} is closed`)
      if (path.endsWith('[]')) return
      if (!required) t.ok('default' in node, `${path} has a default`)
      t.equal(typeof node.description, 'string', `${path} has a description`)
    })
  }
})

t.test('an empty section validates to its defaults', async (t) => {
  const check = (name: string, schema: object) => { const r = compile(name, schema)({}); t.ok(r.ok, JSON.stringify(r.errors)); return r.value }
  const auth = check('auth', authSection) as AuthSection
  t.equal(auth.mode, 'devices')
  t.same(auth.jwt, { secret: null, publicKeyFile: null, jwksFile: null, algorithms: null, issuer: null, audience: null, clockToleranceSec: 30 })
  t.same(auth.throttle, { freeFailures: 3, baseDelayMs: 500, maxDelayMs: 10000, windowMs: 900000, maxAddresses: 10000 })
  const acl = check('acl', aclSection) as AclSection
  t.same(acl, { roles: DEFAULT_ACL_ROLES, deny: [] })
  const envelope = check('envelope', envelopeSection) as EnvelopeSection
  t.same(envelope, { enabled: true, topics: ['salon/{salonId}/#'], maxBytes: 524288 })
})

t.test('setting one role keeps the shipped roles of the others', async (t) => {
  const value = { roles: { 'mango-pad': { publish: ['salon/{salonId}/pad/#'] } }, deny: [{ filter: 'salon/+/payments/#' }] }
  const result = compile('acl', aclSection)(value)
  t.ok(result.ok)
  const acl = result.value as AclSection
  t.same(acl.roles['mango-pad'], { publish: ['salon/{salonId}/pad/#'], subscribe: [] })
  t.same(acl.roles['store-app'], DEFAULT_ACL_ROLES['store-app'])
  t.same(acl.deny, [{ filter: 'salon/+/payments/#', action: 'both' }])
})

t.test('unknown keys and bad values are all reported', async (t) => {
  const auth = compile('auth', authSection)({ mode: 'none', jwt: { secret: 'short', algorithms: ['none'] }, extra: 1 })
  t.notOk(auth.ok)
  const keywords = auth.errors.map((e) => `${e.instancePath} ${e.keyword}`).sort()
  t.same(keywords, [' additionalProperties', '/jwt/algorithms/0 enum', '/jwt/secret minLength', '/mode enum'])
  const acl = compile('acl', aclSection)({ roles: { toaster: { publish: [] } }, deny: [{ filter: 'x', action: 'read' }, { action: 'both' }] })
  t.notOk(acl.ok)
  t.same(acl.errors.map((e) => `${e.instancePath} ${e.keyword}`).sort(), ['/deny/0/action enum', '/deny/1 required', '/roles additionalProperties'])
  const envelope = compile('envelope', envelopeSection)({ enabled: 'yes', maxBytes: 1 })
  t.notOk(envelope.ok)
  t.equal(envelope.errors.length, 2)
})
