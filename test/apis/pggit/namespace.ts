// Runs a command in a private network namespace whose 127.0.0.1:8000 leads to a server listening
// elsewhere on this machine. The PGGIT suite's WebSocket user connects to ws://localhost:8000
// whatever --host says; inside the namespace that port is ours alone, so the test neither needs
// port 8000 of the machine free nor disturbs whoever uses it.
//
// A namespace has its own loopback, so the path out is a Unix socket (file system, not network):
// inside, a relay listens on 127.0.0.1:8000 and connects to the socket; outside, this process
// listens on the socket and connects to the server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'

/** Whether `unshare -n` works here (root, or an unprivileged user namespace). */
export function canUnshareNetwork (): boolean {
  return spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0
}

function pipeBoth (a: Socket, b: Socket) {
  a.pipe(b).pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
}

const INNER_RELAY = `
const net = require('node:net')
const [port, path] = process.argv.slice(1)
net.createServer((c) => {
  const u = net.connect(path)
  c.pipe(u).pipe(c)
  c.on('error', () => u.destroy())
  u.on('error', () => c.destroy())
}).listen(Number(port), '127.0.0.1')
`

export interface NamespacedRun { child: ChildProcess, exited: Promise<number | null>, stop (): Promise<void> }

/**
 * Starts `command args` in a new network namespace where 127.0.0.1:`port` reaches `target`
 * (host:port on this machine's loopback). The command starts once the relay answers.
 */
export async function runInNamespace (opts: { dir: string, port: number, target: { host: string, port: number }, command: string, args: string[], cwd: string }): Promise<NamespacedRun> {
  const socketPath = join(opts.dir, 'relay.sock')
  const outer: Server = createServer((client) => pipeBoth(client, createConnection(opts.target.port, opts.target.host)))
  outer.listen(socketPath)
  await once(outer, 'listening')
  const quoted = [opts.command, ...opts.args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const script = [
    'ip link set lo up',
    `"$NODE" -e "$RELAY" ${opts.port} '${socketPath}' & relay=$!`,
    `for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${opts.port}) 2>/dev/null && break; sleep 0.1; done`,
    `${quoted}; code=$?`,
    'kill $relay; exit $code'
  ].join('\n')
  const child = spawn('unshare', ['-n', 'bash', '-c', script], {
    cwd: opts.cwd,
    env: { ...process.env, NODE: process.execPath, RELAY: INNER_RELAY },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return {
    child,
    exited,
    async stop () {
      try { process.kill(-child.pid!, 'SIGKILL') } catch {}
      await new Promise<void>((resolve) => outer.close(() => resolve()))
    }
  }
}
