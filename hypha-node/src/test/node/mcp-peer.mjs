// The official MCP TypeScript SDK (@modelcontextprotocol/sdk, pinned in package.json) as the client of a Hypha node's
// MCP server, paying through x402's MCP binding with the official @x402/core client and @x402/evm's exact scheme.
//
//   node mcp-peer.mjs URL PRIVATE_KEY NETWORK ASSET MAX FREE_TOOL FREE_ARGS PAID_TOOL PAID_ARGS
//     connects to URL over Streamable HTTP, lists the tools, calls FREE_TOOL with the JSON FREE_ARGS, calls PAID_TOOL
//     with PAID_ARGS without payment (expecting the payment-required result), signs a PaymentPayload for its
//     structuredContent with a viem account of PRIVATE_KEY (spend controls: ASSET on NETWORK up to MAX units) and
//     calls again with it under _meta["x402/payment"]. Prints one JSON line {"server", "tools", "free", "unpaid", "paid"}.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { x402Client } from '@x402/core/client'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { privateKeyToAccount } from 'viem/accounts'

const [url, key, network, asset, max, freeTool, freeArgs, paidTool, paidArgs] = process.argv.slice(2)
const client = new Client({ name: 'hypha-mcp-interop', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(new URL(url)))
const tools = (await client.listTools()).tools
const free = await client.callTool({ name: freeTool, arguments: JSON.parse(freeArgs) })
const unpaid = await client.callTool({ name: paidTool, arguments: JSON.parse(paidArgs) })
const payments = x402Client.fromConfig({
  schemes: [{ network: 'eip155:*', client: new ExactEvmScheme(privateKeyToAccount(key)) }],
  spendControls: { allowedAssets: [{ network, asset, maxAmountPerPayment: max }] },
})
const payload = await payments.createPaymentPayload(unpaid.structuredContent)
const paid = await client.callTool({ name: paidTool, arguments: JSON.parse(paidArgs), _meta: { 'x402/payment': payload } })
console.log(JSON.stringify({ server: client.getServerVersion(), tools: tools.map((t) => t.name), free, unpaid, paid }))
await client.close()
