// One loader process (bench/loaders.ts forks it): takes a LoaderJob, waits for the signal to
// start, so every process of a phase starts together, then drives its share of the connections
// and sends back what it measured. It exits when the bench goes away.
import { runLoaderJob, type LoaderJob } from './loader.js'
import type { LoaderMessage } from './loaders.js'

const send = (message: LoaderMessage) => new Promise<void>((resolve) => { process.send!(message, () => resolve()) })

let job: LoaderJob | undefined
process.on('message', (message: { type: 'job', job: LoaderJob } | { type: 'go' }) => {
  if (message.type === 'job') {
    job = message.job
    process.send!({ type: 'ready' } satisfies LoaderMessage)
    return
  }
  runLoaderJob(job!, (second) => { process.send!({ type: 'second', second } satisfies LoaderMessage) })
    .then((result) => send({ type: 'done', result }), (err: Error) => send({ type: 'error', message: err.stack ?? String(err) }))
    .finally(() => process.disconnect())
})
process.on('disconnect', () => process.exit(0))
