/**
 * Sending transactions: {@link dev.hypha.chain.tx.TransactionSender} (fees, gas, receipts),
 * {@link dev.hypha.chain.tx.NonceManager} (many concurrent senders per account) and
 * {@link dev.hypha.chain.tx.RevertDecoder} (revert data to readable text).
 */
package dev.hypha.chain.tx;
