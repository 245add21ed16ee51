/**
 * Payment channels from the Java side: a channel's parameters and id ({@link dev.hypha.chain.channels.ChannelParams}),
 * vouchers signed and checked exactly as the PaymentChannels contract does ({@link
 * dev.hypha.chain.channels.VoucherDomain}). The contract's calls are {@code deploy.PaymentChannelsClient}.
 */
package dev.hypha.chain.channels;
