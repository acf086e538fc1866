/**
 * The hub's administration over HTTP: device enrollment (`POST /devices`, `GET /devices`,
 * `DELETE /devices/:id`). Off while `token` is null: the routes are then not registered at all.
 */
export const adminSection = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Administration over HTTP (device enrollment routes). Off while token is null.',
  properties: {
    token: {
      type: ['string', 'null'],
      minLength: 16,
      default: null,
      description: 'Bearer token required by POST/GET /devices and DELETE /devices/:id (compared in constant time, never logged). null: the enrollment routes are off (404). Use at least 32 random characters.'
    }
  }
} as const

/** The validated `admin` section. */
export interface AdminConfig {
  readonly token: string | null
}
