/**
 * The gateway's backend that buys answers from a provider over its paid {@code /provider/v1} API: pays with channel
 * vouchers on a 402, checks each signed receipt against what was sent and received, and keeps the receipts.
 */
package dev.hypha.node.gateway.remote;
