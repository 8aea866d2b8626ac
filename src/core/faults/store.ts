import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import { parseRule, type Rule } from './rules.js'

/**
 * Where admin-posted rules live. Shared: a Redis hash (rule id → rule) that every process and
 * replica reads, and a channel that tells them to read it again after a change. Without Redis a
 * process keeps its own rules.
 */
export interface RuleStore {
  readonly shared: boolean
  /** Called with every rule of the store whenever they change (here or in another process). */
  watch (onChange: (rules: Rule[]) => void): void
  add (rules: Rule[]): Promise<void>
  remove (id: string): Promise<boolean>
  clear (): Promise<void>
  /** Claims a one-off job (a shared resource fault's window) for this process; false when another has it. */
  claim (key: string, ttlMs: number): Promise<boolean>
  /** The seed every process shares when FAULTS_SEED is unset: the first process's random one. */
  sharedSeed (proposed: string): Promise<string>
  close (): Promise<void>
}

export function localStore (): RuleStore {
  const rules = new Map<string, Rule>()
  let listener: (rules: Rule[]) => void = () => {}
  const changed = () => listener([...rules.values()])
  return {
    shared: false,
    watch (onChange) { listener = onChange },
    // Re-posting an id moves it to the end: the rules stay in the order they were posted.
    async add (added) { for (const r of added) { rules.delete(r.id); rules.set(r.id, r) } changed() },
    async remove (id) { const had = rules.delete(id); changed(); return had },
    async clear () { rules.clear(); changed() },
    async claim () { return true },
    async sharedSeed (proposed) { return proposed },
    async close () {}
  }
}

/** A rule in the hash; `position` is its place in the body it was posted with. */
interface Stored { input: unknown, loadedAt: number, position?: number, schedule?: string }

function revive (id: string, text: string): { rule: Rule, position: number } | undefined {
  try {
    const stored = JSON.parse(text) as Stored
    const rule = parseRule(stored.input, ['rule'], { id, loadedAt: stored.loadedAt, source: 'admin', ...(stored.schedule ? { schedule: stored.schedule } : {}) })
    return { rule, position: stored.position ?? 0 }
  } catch {
    return undefined
  }
}

/**
 * The shared store, on two connections of its own (a subscriber cannot send commands), so the
 * `redis-down` fault, which drops the app's connection, leaves the rules reachable.
 */
export async function redisStore (base: Redis, prefix: string, log: FastifyBaseLogger): Promise<RuleStore> {
  const hash = `${prefix}faults:rules`
  const channel = `${prefix}faults:changed`
  const commands = base.duplicate({ lazyConnect: true })
  const subscriber = base.duplicate({ lazyConnect: true })
  for (const c of [commands, subscriber]) c.on('error', () => {})
  await Promise.all([commands.connect(), subscriber.connect()])
  let listener: (rules: Rule[]) => void = () => {}
  let local = new Map<string, Rule>()

  const reload = async () => {
    try {
      const all = await commands.hgetall(hash)
      const revived: Array<{ rule: Rule, position: number }> = []
      for (const [id, text] of Object.entries(all)) {
        const entry = revive(id, text)
        if (entry) revived.push(entry)
        else log.warn({ rule: id }, 'fault rule in Redis could not be read; ignored')
      }
      // A hash has no order: every process sorts the rules the same way, as they were posted
      // (the engine applies the rules that fire for a request in this order).
      revived.sort((a, b) => a.rule.loadedAt - b.rule.loadedAt || a.position - b.position || (a.rule.id < b.rule.id ? -1 : 1))
      local = new Map(revived.map(({ rule }) => [rule.id, rule]))
      listener([...local.values()])
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'fault rules could not be read from Redis; keeping the last ones')
    }
  }
  const announce = async () => { await commands.publish(channel, String(Date.now())) }

  subscriber.on('message', () => { reload().catch(() => {}) })
  // A reconnection may have missed announcements.
  subscriber.on('ready', () => { subscriber.subscribe(channel).then(reload, () => {}) })
  await subscriber.subscribe(channel)

  return {
    shared: true,
    watch (onChange) {
      listener = onChange
      reload().catch(() => {})
    },
    async add (rules) {
      const fields: string[] = []
      rules.forEach((r, position) => fields.push(r.id, JSON.stringify({ input: r.input, loadedAt: r.loadedAt, position, ...(r.schedule ? { schedule: r.schedule } : {}) } satisfies Stored)))
      await commands.hset(hash, ...fields)
      await announce()
      await reload()
    },
    async remove (id) {
      const removed = await commands.hdel(hash, id)
      await announce()
      await reload()
      return removed > 0
    },
    async clear () {
      await commands.del(hash)
      await announce()
      await reload()
    },
    async claim (key, ttlMs) {
      return (await commands.set(`${prefix}faults:claim:${key}`, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK'
    },
    async sharedSeed (proposed) {
      const key = `${prefix}faults:seed`
      await commands.set(key, proposed, 'NX')
      return (await commands.get(key)) ?? proposed
    },
    async close () {
      subscriber.disconnect()
      if (commands.status === 'ready') await commands.quit().catch(() => commands.disconnect())
      else commands.disconnect()
    }
  }
}
