import type { FastifyInstance } from 'fastify'
import { LIVE } from '../services.js'
import { claimAndRunTick, TICK_MS } from './tick.js'

/**
 * Runs the delivery simulator in this process: every second it tries to claim the next tick (see
 * claimAndRunTick: with replicas, each tick runs on exactly one of them) and publishes what the
 * tick did to every replica's dashboard sockets. PGGIT_SIMULATOR_RATE=0: not started.
 */
export async function startSimulator (app: FastifyInstance) {
  const { PGGIT_SIMULATOR_RATE: rate, PGGIT_SIMULATOR_SEED: seed } = app.config
  if (rate <= 0) return
  let running: Promise<void> | undefined
  let failing = false
  const timer = setInterval(() => {
    if (running) return
    running = claimAndRunTick(app.db, { seed, rate })
      .then((result) => {
        if (failing) app.log.info('delivery simulator: running again')
        failing = false
        if (!result) return
        app.events.publish(LIVE.alertNew, result.alerts)
        app.events.publish(LIVE.webhookStatus, result.statusChanges)
      }, (err: Error) => {
        // Postgres away: one line per outage, not one per second.
        if (!failing) app.log.warn({ err: err.message }, 'delivery simulator: tick failed; retrying every second')
        failing = true
      })
      .finally(() => { running = undefined })
  }, TICK_MS)
  timer.unref()
  // Before the pool closes: the tick under way finishes (or fails) first.
  app.addHook('preClose', async () => {
    clearInterval(timer)
    await running
  })
  app.log.info({ rate, seed }, `delivery simulator: ${rate} alert(s)/s queued and delivered against the webhooks (seed ${seed}; PGGIT_SIMULATOR_RATE=0 turns it off)`)
}
