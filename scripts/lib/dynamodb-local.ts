import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'

/**
 * Runs AWS's DynamoDB Local (the jar shipped by the `amplify-dynamodb-simulator` package) with the
 * machine's Java 17+. Used by `npm start`, the tests and the benchmarks.
 */
export interface DynamoDbLocal {
  endpoint: string
  port: number
  stop(): Promise<void>
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number
  /** Folder for a database that survives restarts; in memory when omitted. */
  dataDir?: string
  log?: (line: string) => void
}

function emulatorDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator')
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`)
    }
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
        },
        body: '{}',
      })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`DynamoDB Local did not start within 30 s:\n${output()}`)
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort())
  const dir = emulatorDir()
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined
  if (dataDir) await mkdir(dataDir, { recursive: true })
  const storage = dataDir ? ['-sharedDb', '-dbPath', dataDir] : ['-inMemory']
  const args = [
    '-Xms64m',
    '-Xmx1g',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-disableTelemetry',
    ...storage,
  ]
  let output = ''
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.length > 20_000) output = output.slice(-20_000)
    options.log?.(chunk.toString().trimEnd())
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'Java was not found. DynamoDB Local needs Java 17 or newer on the PATH (e.g. apt-get install openjdk-17-jre-headless).',
            )
          : error,
      ),
    )
  })
  await spawned
  // Never leave an orphaned Java process behind, whatever way this process ends.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  const endpoint = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(endpoint, child, () => output)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit)
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
