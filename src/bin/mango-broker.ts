#!/usr/bin/env node
// The command line: the only module that reads process.env and argv, installs signal handlers
// and calls process.exit.
import { main } from '../cli/main.js'

main(process.argv.slice(2), process.env).then((code) => {
  if (code !== null) process.exitCode = code
}, (err: unknown) => {
  process.stderr.write(`mango-broker: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
