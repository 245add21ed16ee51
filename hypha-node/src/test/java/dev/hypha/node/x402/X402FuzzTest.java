package dev.hypha.node.x402;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer targets for what a stranger sends an x402 server or facilitator: the {@value X402#PAYMENT_SIGNATURE} header
 * and the facilitator's request body. Any input is read or refused with a {@link MalformedPayment} that says why;
 * any other exception is a bug. In the normal suite they run over the saved inputs in
 * {@code src/test/resources/dev/hypha/node/x402/X402FuzzTestInputs}; to fuzz for real:
 * <pre>JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-node -Dgroups=fuzz -Dtest='X402FuzzTest' -Djazzer.max_duration=10m</pre>
 */
@org.junit.jupiter.api.Tag("fuzz")
class X402FuzzTest {

    @FuzzTest(maxDuration = "10s")
    void paymentSignature(byte[] bytes) {
        String header = new String(bytes, StandardCharsets.ISO_8859_1);
        check(() -> ExactPayment.parseHeader(header));
        check(() -> PaymentRequired.parseHeader(header));
        check(() -> Settlement.parseHeader(header));
    }

    @FuzzTest(maxDuration = "10s")
    void facilitatorBody(byte[] bytes) {
        check(() -> FacilitatorBodies.read(bytes));
    }

    private static void check(Runnable parse) {
        try {
            parse.run();
        } catch (MalformedPayment refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refusal without a message", refused);
            }
        }
    }
}
