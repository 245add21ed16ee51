/**
 * The paid provider: Ollama's {@code /api/chat} and {@code /api/generate} bodies under {@code /provider/v1}, served
 * only against a payment-channel voucher ({@code PAYMENT-SIGNATURE}), priced per million input and output tokens,
 * every answer carrying a signed receipt ({@code PAYMENT-RESPONSE}); and the redeemer that turns the best vouchers
 * into tokens on chain. Answers come from any {@link dev.hypha.node.gateway.InferenceBackend}.
 */
package dev.hypha.node.provider;
