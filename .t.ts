import { bundleEntry } from './infra/bundling'
bundleEntry(process.argv[2], process.argv[3])
