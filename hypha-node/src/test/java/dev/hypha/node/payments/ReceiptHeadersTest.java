package dev.hypha.node.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The PAYMENT-RESPONSE header round-trips, and a hostile one is an INPUT error naming the problem. */
class ReceiptHeadersTest {
    private static final ReceiptDomain DOMAIN = new ReceiptDomain(31337,
            Address.parse("0xdc64a140aa3e981100a9beca4e685f962f0cf6c9"));
    private static final Receipt RECEIPT = new Receipt("0x" + "11".repeat(32), "0x" + "22".repeat(32), 12, 8,
            "0x" + "33".repeat(32), BigInteger.valueOf(28), "0x" + "44".repeat(32), BigInteger.valueOf(128));

    @Test
    void aSignedReceiptRoundTripsAndVerifies() {
        Address signer = Address.parse(LedgerFixtures.PROVIDER.getAddress());
        String header = ReceiptHeaders.encode(31337, new ReceiptHeaders.SignedReceipt(RECEIPT, signer,
                DOMAIN.sign(RECEIPT, data -> Eip712.sign(data, LedgerFixtures.PROVIDER))));

        ReceiptHeaders.SignedReceipt back = ReceiptHeaders.parse(header);

        assertThat(back.receipt()).isEqualTo(RECEIPT);
        assertThat(back.signer()).isEqualTo(signer);
        assertThat(DOMAIN.isSignedBy(back.receipt(), back.signature(), signer)).isTrue();
    }

    @Test
    void anOpmlCommitmentRidesInTheHeaderAndIsStoredAsJson() {
        Address signer = Address.parse(LedgerFixtures.PROVIDER.getAddress());
        var model = new dev.hypha.ml.opml.IntLm(dev.hypha.ml.opml.IntLmWeights.random(11));
        var answer = dev.hypha.node.verify.opml.OpmlProvider.honest(signer, LedgerFixtures.PROVIDER, model, 31337,
                DOMAIN.registry()).answer(new byte[] {'h', 'i'}, 3, 7, new byte[32]);
        var commitment = new dev.hypha.chain.opml.OpmlCommitment(answer.receipt(), answer.signature(), answer.prompt(),
                answer.output());
        String header = ReceiptHeaders.encode(31337, new ReceiptHeaders.SignedReceipt(RECEIPT, signer,
                DOMAIN.sign(RECEIPT, data -> Eip712.sign(data, LedgerFixtures.PROVIDER)), java.util.Optional.of(commitment)));

        var back = ReceiptHeaders.parse(header).opml().orElseThrow();

        assertThat(back.receipt()).usingRecursiveComparison().isEqualTo(answer.receipt());
        assertThat(back.signature()).isEqualTo(answer.signature());
        assertThat(back.output()).isEqualTo(answer.output());
        assertThat(ReceiptHeaders.parseOpml(ReceiptHeaders.opmlJson(commitment)).receipt().digest(31337,
                DOMAIN.registry())).isEqualTo(answer.receipt().digest(31337, DOMAIN.registry()));
        // malformed fields are refused by name (a changed token is caught by the contract: the signature no longer fits)
        String json = ReceiptHeaders.opmlJson(commitment).replace("\"signature\":\"0x", "\"signature\":\"0x00");
        assertThatThrownBy(() -> ReceiptHeaders.parseOpml(json)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("opML commitment: opml signature must be 65 bytes, was 66");
        assertThatThrownBy(() -> ReceiptHeaders.parseOpml("{\"seed\":\"x\"}")).isInstanceOf(HyphaException.class)
                .hasMessageContaining("opml seed must be a decimal uint64");
    }

    @Test
    void hostileHeadersAreRefusedByName() {
        assertThatThrownBy(() -> ReceiptHeaders.parse("A".repeat(5000))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("PAYMENT-RESPONSE header: must be 1 to 4096 characters");
        assertThatThrownBy(() -> ReceiptHeaders.parse("%%%")).hasMessageContaining("not base64-encoded JSON");
        assertThatThrownBy(() -> ReceiptHeaders.parse(b64("[1]"))).hasMessageContaining("with a receipt object");
        assertThatThrownBy(() -> ReceiptHeaders.parse(b64("{\"receipt\":{\"requestHash\":1}}")))
                .hasMessageContaining("requestHash must be a string");
        String negative = "{\"receipt\":{\"requestHash\":\"0x" + "11".repeat(32) + "\",\"modelId\":\"0x" + "22".repeat(32)
                + "\",\"tokensIn\":-1,\"tokensOut\":1,\"outputHash\":\"0x" + "33".repeat(32) + "\",\"price\":\"1\","
                + "\"channelId\":\"0x" + "44".repeat(32) + "\",\"cumulativeAmount\":\"1\"},\"signer\":\"0x"
                + "00".repeat(20) + "\",\"signature\":\"0x00\"}";
        assertThatThrownBy(() -> ReceiptHeaders.parse(b64(negative))).hasMessageContaining("token counts must be >= 0");
        assertThatThrownBy(() -> ReceiptHeaders.parse(b64(negative.replace("-1", "1").replace("\"price\":\"1\"",
                "\"price\":\"-5\"")))).hasMessageContaining("price must be a decimal integer");
    }

    private static String b64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
