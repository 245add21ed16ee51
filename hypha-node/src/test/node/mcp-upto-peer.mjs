// The official MCP TypeScript SDK (@modelcontextprotocol/sdk) paying a Hypha metered MCP tool with x402 `upto` over a
// PaymentChannels channel: no x402 package signs Hypha's channel voucher (@x402/evm's `upto` is Permit2-only), so the
// voucher is signed here with viem as PaymentChannels' EIP-712 `Voucher(bytes32 channelId,uint256 cumulativeAmount)`.
//
//   node mcp-upto-peer.mjs URL PRIVATE_KEY SALT TOOL ARGS1 ARGS2
//     calls TOOL with ARGS1 unpaid (expecting the payment-required result with an `upto` offer), then pays it from the
//     channel (payer = signer = the key's account, provider = the offer's payTo, token = its asset, SALT) with a
//     voucher for the offer's maximum; then calls TOOL with ARGS2 with a voucher for the charged total the first
//     settlement reported plus the maximum. Prints one JSON line {"unpaid", "first", "second", "vouchers"}.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { privateKeyToAccount } from 'viem/accounts'
import { encodeAbiParameters, keccak256 } from 'viem'

const [url, key, salt, tool, args1, args2] = process.argv.slice(2)
const account = privateKeyToAccount(key)
const client = new Client({ name: 'hypha-mcp-upto-interop', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(new URL(url)))

const unpaid = await client.callTool({ name: tool, arguments: JSON.parse(args1) })
const offer = unpaid.structuredContent.accepts.find((a) => a.scheme === 'upto'
  && a.extra?.assetTransferMethod === 'payment-channel')
if (!offer) throw new Error('no upto offer over payment channels: ' + JSON.stringify(unpaid))
const chainId = Number(offer.network.split(':')[1])
const channel = { payer: account.address, provider: offer.payTo, token: offer.asset, signer: account.address, salt }
const channelId = keccak256(encodeAbiParameters(
  [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'bytes32' }],
  [channel.payer, channel.provider, channel.token, channel.signer, channel.salt]))

async function payment (cumulativeAmount) {
  const signature = await account.signTypedData({
    domain: { name: 'Hypha PaymentChannels', version: '1', chainId, verifyingContract: offer.extra.channels },
    types: { Voucher: [{ name: 'channelId', type: 'bytes32' }, { name: 'cumulativeAmount', type: 'uint256' }] },
    primaryType: 'Voucher',
    message: { channelId, cumulativeAmount },
  })
  return { x402Version: 2, scheme: 'upto', network: offer.network,
    payload: { channel, cumulativeAmount: cumulativeAmount.toString(), signature } }
}

const max = BigInt(offer.amount)
const vouchers = [max]
const first = await client.callTool({ name: tool, arguments: JSON.parse(args1), _meta: { 'x402/payment': await payment(max) } })
const charged = BigInt(first._meta['x402/payment-response'].extra.charged)
vouchers.push(charged + max)
const second = await client.callTool({ name: tool, arguments: JSON.parse(args2),
  _meta: { 'x402/payment': await payment(charged + max) } })
console.log(JSON.stringify({ unpaid, first, second, vouchers: vouchers.map(String) }))
await client.close()
