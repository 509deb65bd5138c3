import { bundleEntry, loadedAtStart } from './infra/bundling'

const m = bundleEntry(process.argv[2], process.argv[3])
const kib = Math.round(loadedAtStart(m, process.argv[2]).reduce((s, o) => s + o.bytes, 0) / 1024)
console.error(`${process.argv[2]}: ${kib} KiB at start`)
