// The few parts of autocannon's programmatic API that `npm run load` uses (it ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    total: number
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
  }
  interface RawRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    requests?: { setupRequest?: (request: RawRequest) => RawRequest }[]
  }
  function autocannon(
    options: Options,
  ): Promise<Result> & { on(event: string, listener: (...args: unknown[]) => void): void }
  export default autocannon
}
