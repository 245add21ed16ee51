/** The parts of contract ABIs the decoders need (errors, events) and bounds-checked value decoding. */
package dev.hypha.chain.abi;
