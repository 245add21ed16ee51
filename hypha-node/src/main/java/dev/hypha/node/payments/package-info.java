/**
 * Durable books of payment channels, one per side: {@link dev.hypha.node.payments.PayerLedger} (a gateway's
 * channels: what it has signed) and {@link dev.hypha.node.payments.ProviderLedger} (a provider's channels: the best
 * voucher it holds and what is redeemed). Both are SQLite files written with a full sync before a voucher is handed
 * out or accepted, so a kill -9 at any point never makes a payer sign a lower total twice nor makes a provider lose a
 * voucher it acted on.
 */
package dev.hypha.node.payments;
