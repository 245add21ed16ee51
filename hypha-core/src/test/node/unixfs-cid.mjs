// Reference CIDs for hypha-core's UnixFS importer tests, computed by the JavaScript UnixFS importer
// (ipfs-unixfs-importer 17, the implementation behind Helia/js-IPFS) with the unixfs-v1-2025 options
// spelled out: CIDv1, raw leaves, fixed-size chunks, balanced layout, single leaf reduced to itself.
//
// usage: node unixfs-cid.mjs [--chunk-size N] [--width N] FILE...
// prints one line per file: "<cid> <block count> <file>"
import { createReadStream } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

// node_modules lives at the repository root; resolve packages from there so the script runs from any cwd.
const root = process.env.HYPHA_REPO_ROOT ?? process.cwd()
const requireFromRoot = createRequire(path.join(root, 'package.json'))
const load = async (name) => import(requireFromRoot.resolve(name))

const { importer } = await load('ipfs-unixfs-importer')
const { fixedSize } = await load('ipfs-unixfs-importer/chunker')
const { balanced } = await load('ipfs-unixfs-importer/layout')
const { MemoryBlockstore } = await load('blockstore-core')

let chunkSize = 1048576
let width = 1024
const files = []
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--chunk-size') chunkSize = Number(args[++i])
  else if (args[i] === '--width') width = Number(args[++i])
  else files.push(args[i])
}

for (const file of files) {
  const blockstore = new MemoryBlockstore()
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode: width }),
    wrapWithDirectory: false
  }
  let root
  for await (const entry of importer([{ content: createReadStream(file) }], blockstore, options)) {
    root = entry.cid
  }
  let blocks = 0
  for await (const _ of blockstore.getAll()) blocks++
  console.log(`${root.toString()} ${blocks} ${file}`)
}
