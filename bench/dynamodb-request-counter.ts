import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that counts the requests a process sends,
 * by operation (`X-Amz-Target`). The benchmark points a freshly spawned Lambda bundle at it, so the
 * count is what the deployed code really sends on a cold start, with nothing in the bundle changed.
 */
export interface RequestCounter {
  endpoint: string
  /** Requests since the last reset, by operation (`GetItem`, `Query`, `BatchGetItem`, ...). */
  counts(): Record<string, number>
  total(): number
  reset(): void
  stop(): Promise<void>
}

export async function startRequestCounter(target: string): Promise<RequestCounter> {
  const upstream = new URL(target)
  let counts: Record<string, number> = {}
  const server: Server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? 'unknown')
      .split('.')
      .pop() as string
    counts[operation] = (counts[operation] ?? 0) + 1
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(outgoing)
      },
    )
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((sum, count) => sum + count, 0),
    reset: () => {
      counts = {}
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
