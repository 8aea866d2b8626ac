/**
 * Connection strings carry passwords (DATABASE_URL, the embedded Postgres' URL, REDIS_URL), and
 * they reach log lines by many roads: a field, a message, an error from a driver. Rather than
 * trusting every call site, the logger rewrites every line it writes with this.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]*:)[^\s@"'`/]+@/gi

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, anywhere in `text`. */
export function redactUrlPasswords (text: string): string {
  return text.replace(URL_PASSWORD, '$1***@')
}
