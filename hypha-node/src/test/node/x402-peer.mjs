// The official x402 v2 packages (@x402/fetch, @x402/evm, @x402/express, @x402/core from the repository's
// node_modules, pinned in package.json) on the other side of hypha-node's x402 interoperability tests.
//
//   node x402-peer.mjs pay URL PRIVATE_KEY NETWORK ASSET MAX
//     fetches URL with @x402/fetch's wrapper and an @x402/evm ExactEvmScheme client over a viem account made from
//     PRIVATE_KEY (any eip155 network), its spend controls allowing the token ASSET on NETWORK up to MAX units per
//     payment (only the default assets of public chains are allowed otherwise): on a 402 it signs the EIP-3009
//     authorization and retries. Prints one JSON line
//     {"status", "body", "paymentResponse"} (the decoded PAYMENT-RESPONSE, or null).
//
//   node x402-peer.mjs serve FACILITATOR_URL NETWORK ASSET AMOUNT PAY_TO TOKEN_NAME
//     an Express app whose GET /weather costs AMOUNT of the EIP-3009 token ASSET (EIP-712 domain TOKEN_NAME, "1")
//     paid to PAY_TO on NETWORK, behind @x402/express's paymentMiddleware with an x402ResourceServer whose facilitator
//     is FACILITATOR_URL (@x402/core's HTTPFacilitatorClient). Prints "LISTENING <port>" and runs until its standard
//     input closes.
import express from 'express'
import { wrapFetchWithPaymentFromConfig, decodePaymentResponseHeader } from '@x402/fetch'
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { HTTPFacilitatorClient } from '@x402/core/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import { privateKeyToAccount } from 'viem/accounts'

const [mode, ...args] = process.argv.slice(2)

if (mode === 'pay') {
  const [url, key, network, asset, max] = args
  const account = privateKeyToAccount(key)
  const paying = wrapFetchWithPaymentFromConfig(fetch, {
    schemes: [{ network: 'eip155:*', client: new ExactEvmClientScheme(account) }],
    spendControls: { allowedAssets: [{ network, asset, maxAmountPerPayment: max }] },
  })
  const response = await paying(url, { method: 'GET' })
  const header = response.headers.get('PAYMENT-RESPONSE')
  const body = await response.text()
  console.log(JSON.stringify({
    status: response.status,
    body,
    paymentResponse: header ? decodePaymentResponseHeader(header) : null,
  }))
} else if (mode === 'serve') {
  const [facilitatorUrl, network, asset, amount, payTo, tokenName] = args
  const facilitator = new HTTPFacilitatorClient({ url: facilitatorUrl })
  const server = new x402ResourceServer(facilitator).register(network, new ExactEvmServerScheme())
  const app = express()
  app.use(paymentMiddleware({
    'GET /weather': {
      accepts: {
        scheme: 'exact',
        network,
        payTo,
        price: { amount, asset, extra: { name: tokenName, version: '1' } },
        maxTimeoutSeconds: 120,
      },
      description: 'the weather, paid per request',
    },
  }, server))
  app.get('/weather', (req, res) => res.json({ weather: 'sunny', temperature: 21 }))
  const listener = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${listener.address().port}`))
  process.stdin.on('end', () => listener.close(() => process.exit(0)))
  process.stdin.resume()
} else {
  console.error('usage: x402-peer.mjs pay URL PRIVATE_KEY NETWORK ASSET MAX | serve FACILITATOR_URL NETWORK ASSET AMOUNT PAY_TO TOKEN_NAME')
  process.exit(2)
}
