// A real IPFS peer for hypha-node's interoperability tests: Helia (the JavaScript IPFS implementation) from the
// repository's node_modules, in one of two roles.
//
//   node helia-peer.mjs gateway [--chunk-size N] [--width N] FILE...
//     adds each FILE to a Helia node with the unixfs-v1-2025 options (CIDv1, raw leaves, fixed chunks, balanced
//     layout), prints "<cid> <file>" per file, then serves Helia's blockstore as a Trustless Gateway on loopback
//     (GET/HEAD /ipfs/{cid} with ?format=raw|car or the matching Accept header), prints "LISTENING <port>", and
//     runs until its standard input closes.
//
//   node helia-peer.mjs fetch GATEWAY_URL CID OUT
//     starts a Helia node whose only block source is the trustless gateway at GATEWAY_URL (Helia's own
//     trustless-gateway block broker, which checks every block against its CID), reads the UnixFS file CID
//     through @helia/unixfs, writes it to OUT and prints "FETCHED <bytes> <cid>".
//
//   node helia-peer.mjs car GATEWAY_URL CID OUT
//     asks the gateway for ?format=car, reads the stream with @ipld/car's reader, checks every block's sha2-256
//     against its CID, puts the blocks into an offline Helia node, reads the file through @helia/unixfs (which fails
//     on any block the CAR lacks), writes it to OUT and prints "CAR <blocks> <bytes> <content-type>".
//
// The gateway role is deliberately small: it is the test's stand-in for "any trustless gateway", built on Helia's
// blockstore and @ipld/car (the reference CAR writer), not on anything of Hypha's.
import { createWriteStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'

// Helia 7's queues call Promise.withResolvers, which Node has only from 22 on; this project runs Node 20. The standard
// definition (ES2024) in a few lines, installed before any Helia module loads.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

const root = process.env.HYPHA_REPO_ROOT ?? process.cwd()
const requireFromRoot = createRequire(path.join(root, 'package.json'))
// Packages that export only an "import" condition (@ipld/car, @ipld/dag-pb) do not resolve through require.resolve:
// for those the entry point is read from their package.json.
const load = async (name) => {
  try {
    return await import(requireFromRoot.resolve(name))
  } catch (e) {
    if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e
    const dir = path.join(root, 'node_modules', name)
    const entry = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')).exports['.'].import
    return import(path.join(dir, entry))
  }
}

// createHeliaLight() is `new Helia({name, version, ...init})` from helia/dist/src/helia.js, but helia's index also
// imports its libp2p stack, whose WebRTC native addon is an optional dependency this project does not install
// (npm ci --omit=optional). Loading the same class from its own file gives the same node without that addon.
const { Helia } = await import(path.join(path.dirname(requireFromRoot.resolve('helia')), 'helia.js'))
const { name: heliaName, version: heliaVersion } = await import(path.join(path.dirname(requireFromRoot.resolve('helia')), 'version.js'))
const createHeliaLight = (init) => new Helia({ name: heliaName, version: heliaVersion, ...init })
const { unixfs } = await load('@helia/unixfs')
const { CID } = await load('multiformats/cid')

const [mode, ...args] = process.argv.slice(2)
if (mode === 'gateway') await gateway(args)
else if (mode === 'fetch') await fetchFile(args)
else if (mode === 'car') await fetchCar(args)
else if (mode === 'dir') await directoryId(args[0])
else {
  console.error('usage: helia-peer.mjs gateway [--chunk-size N] [--width N] FILE... | fetch GATEWAY_URL CID OUT | car GATEWAY_URL CID OUT | dir FOLDER')
  process.exit(2)
}

async function gateway (args) {
  const { fixedSize } = await load('ipfs-unixfs-importer/chunker')
  const { balanced } = await load('ipfs-unixfs-importer/layout')
  const { CarWriter } = await load('@ipld/car')
  const dagPb = await load('@ipld/dag-pb')
  let chunkSize = 1048576
  let width = 1024
  const files = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--chunk-size') chunkSize = Number(args[++i])
    else if (args[i] === '--width') width = Number(args[++i])
    else files.push(args[i])
  }
  const helia = createHeliaLight({ blockBrokers: [], routers: [] })
  await helia.start()
  const fs = unixfs(helia)
  for (const file of files) {
    const handle = await open(file)
    const cid = await fs.addByteStream(handle.readableWebStream({ type: 'bytes' }), {
      cidVersion: 1,
      rawLeaves: true,
      reduceSingleLeafToSelf: true,
      chunker: fixedSize({ chunkSize }),
      layout: balanced({ maxChildrenPerNode: width })
    })
    await handle.close()
    console.log(`${cid} ${file}`)
  }

  const block = async (cid) => {
    if (!(await helia.blockstore.has(cid))) return null
    const parts = []
    for await (const part of helia.blockstore.get(cid, { offline: true })) parts.push(part)
    return Buffer.concat(parts)
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost')
      const match = /^\/ipfs\/([^/]+)$/.exec(url.pathname)
      if (match == null || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404).end()
        return
      }
      let cid
      try {
        cid = CID.parse(match[1])
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad cid: ${e.message}\n`)
        return
      }
      const accept = req.headers.accept ?? ''
      const format = url.searchParams.get('format') ??
        (accept.includes('application/vnd.ipld.car') ? 'car' : accept.includes('application/vnd.ipld.raw') ? 'raw' : null)
      const rootBlock = await block(cid)
      if (rootBlock == null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${cid}\n`)
        return
      }
      if (format === 'raw') {
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw', 'content-length': rootBlock.length })
        res.end(req.method === 'HEAD' ? undefined : rootBlock)
      } else if (format === 'car') {
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1; order=dfs; dups=n' })
        if (req.method === 'HEAD') {
          res.end()
          return
        }
        const { writer, out } = CarWriter.create([cid])
        const done = pipeline(Readable.from(out), res)
        const seen = new Set()
        const walk = async (c) => { // depth-first, pre-order, each block once: the spec's order=dfs, dups=n
          if (seen.has(c.toString())) return
          seen.add(c.toString())
          const bytes = await block(c)
          await writer.put({ cid: c, bytes })
          if (c.code === dagPb.code) {
            for (const link of dagPb.decode(bytes).Links) await walk(link.Hash)
          }
        }
        await walk(cid)
        await writer.close()
        await done
      } else {
        res.writeHead(406, { 'content-type': 'text/plain' }).end('ask for format=raw or format=car\n')
      }
    } catch (e) {
      console.error(e)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    }
  })
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`))
  process.stdin.resume()
  process.stdin.on('end', async () => {
    server.close()
    await helia.stop()
    process.exit(0)
  })
}

async function fetchFile ([gatewayUrl, cidText, out]) {
  const { trustlessGatewayBlockBroker } = await load('@helia/trustless-gateway-client')
  const { fallbackRouter } = await load('@helia/fallback-router')
  // The fallback router names the gateway as the provider of every CID. Helia's routing asks its non-fallback routers
  // first and, with none configured, waits for ever (the process exits with 13, "unsettled top-level await"), so the
  // gateway is declared a regular router: same providers, asked at once.
  const gatewayRouter = fallbackRouter({ gateways: [gatewayUrl], shuffle: false })
  gatewayRouter.capabilities = () => []
  const helia = createHeliaLight({
    blockBrokers: [trustlessGatewayBlockBroker({ allowInsecure: true, allowLocal: true })],
    routers: [gatewayRouter]
  })
  await helia.start()
  const cid = CID.parse(cidText)
  let bytes = 0
  const counted = async function * (source) {
    for await (const chunk of source) {
      bytes += chunk.length
      yield chunk
    }
  }
  await pipeline(Readable.from(counted(unixfs(helia).cat(cid, { signal: AbortSignal.timeout(60000) }))), createWriteStream(out))
  await helia.stop()
  console.log(`FETCHED ${bytes} ${cid}`)
  process.exit(0)
}

async function fetchCar ([gatewayUrl, cidText, out]) {
  const { CarBlockIterator } = await load('@ipld/car')
  const { sha256 } = await load('multiformats/hashes/sha2')
  const { equals } = await load('uint8arrays/equals')
  const cid = CID.parse(cidText)
  const response = await fetch(`${gatewayUrl}/ipfs/${cid}?format=car`, {
    headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs; dups=n' },
    signal: AbortSignal.timeout(60000)
  })
  if (response.status !== 200) throw new Error(`gateway answered ${response.status}`)
  const contentType = response.headers.get('content-type')
  const cars = await CarBlockIterator.fromIterable(response.body)
  const roots = await cars.getRoots()
  if (roots.length !== 1 || !roots[0].equals(cid)) throw new Error(`CAR roots ${roots} are not [${cid}]`)
  const helia = createHeliaLight({ blockBrokers: [], routers: [] })
  await helia.start()
  let blocks = 0
  for await (const { cid: blockCid, bytes } of cars) {
    if (blocks === 0 && !blockCid.equals(cid)) throw new Error(`first block ${blockCid} is not the root (order=dfs)`)
    const digest = await sha256.digest(bytes)
    if (!equals(digest.bytes, blockCid.multihash.bytes)) throw new Error(`block ${blockCid} does not match its CID`)
    await helia.blockstore.put(blockCid, bytes)
    blocks++
  }
  let size = 0
  const counted = async function * (source) {
    for await (const chunk of source) {
      size += chunk.length
      yield chunk
    }
  }
  await pipeline(Readable.from(counted(unixfs(helia).cat(cid, { offline: true }))), createWriteStream(out))
  await helia.stop()
  console.log(`CAR ${blocks} ${size} ${contentType}`)
  process.exit(0)
}

// The id IPFS's own importer (ipfs-unixfs-importer, with the unixfs-v1-2025 settings) gives FOLDER: every subfolder
// (empty ones too) and file, names sorted, wrapped in one root directory.
async function directoryId (folder) {
  const { importer } = await load('ipfs-unixfs-importer')
  const { fixedSize } = await load('ipfs-unixfs-importer/chunker')
  const { balanced } = await load('ipfs-unixfs-importer/layout')
  const { readdir, stat } = await import('node:fs/promises')
  const entries = []
  const walk = async (rel) => {
    for (const name of (await readdir(path.join(folder, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name
      if ((await stat(path.join(folder, r))).isDirectory()) {
        entries.push({ path: `root/${r}` })
        await walk(r)
      } else {
        entries.push({ path: `root/${r}`, content: await readFile(path.join(folder, r)) })
      }
    }
  }
  await walk('')
  const helia = createHeliaLight({ blockBrokers: [], routers: [] })
  let root = null
  for await (const e of importer(entries, helia.blockstore, {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 1048576 }),
    layout: balanced({ maxChildrenPerNode: 1024 })
  })) {
    if (e.path === 'root') root = e.cid
  }
  console.log(`${root}`)
  process.exit(0)
}
