/** A local anvil for development and tests: {@link dev.hypha.chain.devnet.AnvilLauncher} starts it, {@link dev.hypha.chain.devnet.Devnet} is the running handle. */
package dev.hypha.chain.devnet;
