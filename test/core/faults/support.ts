import { connect } from 'node:net'
import type { App } from '../../../src/app.js'

/** Listens on a free loopback port (a real client must reach it); returns the port. */
export async function listen (app: App): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as { port: number }).port
}

export interface RawOutcome {
  /** Every byte the server sent. */
  bytes: Buffer
  /** Milliseconds after the request was written at which each piece arrived. */
  arrivals: number[]
  /** The socket error, if the connection broke (ECONNRESET for an RST). */
  error?: string
  /** The server closed the connection (FIN or RST) before our timeout. */
  closed: boolean
  /** Our timeout fired first: the server neither answered in full nor closed. */
  timedOut: boolean
}

/**
 * One HTTP/1.1 request over a raw TCP socket (node:net), so connection faults are seen as a client
 * sees them, without an HTTP library's interpretation. Resolves when the server closes the
 * connection, or after `timeoutMs`, or once `until(bytes)` holds.
 */
export function rawRequest (port: number, opts: { method?: string, path: string, headers?: Record<string, string>, body?: string, timeoutMs?: number, until?: (bytes: Buffer) => boolean }): Promise<RawOutcome> {
  const body = opts.body ?? ''
  const headers = { host: `127.0.0.1:${port}`, connection: 'close', ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...opts.headers }
  const head = `${opts.method ?? 'GET'} ${opts.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const pieces: Buffer[] = []
    const arrivals: number[] = []
    let sentAt = 0
    let error: string | undefined
    let settled = false
    const finish = (closed: boolean, timedOut: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ bytes: Buffer.concat(pieces), arrivals, closed, timedOut, ...(error ? { error } : {}) })
    }
    const timer = setTimeout(() => finish(false, true), opts.timeoutMs ?? 5000)
    socket.on('connect', () => {
      sentAt = performance.now()
      socket.write(head + body)
    })
    socket.on('data', (chunk: Buffer) => {
      pieces.push(chunk)
      arrivals.push(performance.now() - sentAt)
      if (opts.until?.(Buffer.concat(pieces))) finish(false, false)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message })
    socket.on('close', () => finish(true, false))
  })
}

/** Posts rules through the admin API (built on the app's engine), as a tester would; returns their ids. */
export async function postRules (app: App, body: unknown): Promise<string[]> {
  const { buildAdminApp } = await import('../../../src/core/faults/admin.js')
  const token = 'support-admin-token-0123456789'
  const admin = await buildAdminApp(app.faults!, { token })
  try {
    const res = await admin.inject({ method: 'POST', url: '/faults', payload: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
    if (res.statusCode !== 201) throw new Error(`rules refused: ${res.statusCode} ${res.body}`)
    return res.json().ids
  } finally {
    await admin.close()
  }
}

/** Waits until the engine logged the start of a resource fault of this rule; returns the entry. */
export async function started (app: App, rule: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const entry = app.faults!.latest(100).find((e) => e.rule === rule)
    if (entry) return entry
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`fault ${rule} did not start`)
}
