/** JSON-RPC access with bounded retries: {@link dev.hypha.chain.rpc.ChainClient}. */
package dev.hypha.chain.rpc;
