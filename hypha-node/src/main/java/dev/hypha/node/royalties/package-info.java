/**
 * Inference royalties: what a provider's answers on a model registered in AssetRegistry owe the model's lineage, paid
 * through RoyaltySplitter once the channels that paid for those answers are redeemed. The tally itself lives in the
 * provider's ledger ({@link dev.hypha.node.payments.ProviderLedger}), written with each charge.
 */
package dev.hypha.node.royalties;
