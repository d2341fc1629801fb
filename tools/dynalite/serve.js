#!/usr/bin/env node
// Starts dynalite, in memory, on 127.0.0.1 and prints one line once it
// accepts connections: "dynalite listening at http://127.0.0.1:PORT".
//
// Usage: node serve.js [--port N] [--exit-with-stdin]
//
// --port 0 (the default) takes a free port; the ready line says which.
// --exit-with-stdin stops the server when its standard input closes, so a
// parent that dies without stopping it (a test binary killed on timeout)
// leaves nothing behind. Tables become ACTIVE as soon as they are created.
'use strict'

const args = process.argv.slice(2)
const portAt = args.indexOf('--port')
const port = portAt >= 0 ? Number(args[portAt + 1]) : 0
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('serve.js: --port wants a number from 0 to 65535')
  process.exit(2)
}

const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
server.listen(port, '127.0.0.1', () => {
  console.log(`dynalite listening at http://127.0.0.1:${server.address().port}`)
})
server.on('error', (err) => {
  console.error(`serve.js: ${err.message}`)
  process.exit(1)
})

const stop = () => process.exit(0)
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
}
