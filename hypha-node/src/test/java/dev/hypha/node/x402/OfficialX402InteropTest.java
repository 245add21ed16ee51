package dev.hypha.node.x402;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.Deployer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Hypha's x402 against the official x402 v2 packages from npm, on anvil with real hUSD, both ways:
 * {@code @x402/fetch} with {@code @x402/evm} pays a Hypha paywalled endpoint, and Hypha's client pays an
 * {@code @x402/express} server whose facilitator is the Hypha node.
 */
class OfficialX402InteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static X402Chain chain;

    @BeforeAll
    static void start() {
        chain = new X402Chain();
    }

    @AfterAll
    static void stop() {
        chain.close();
    }

    @Test
    void officialFetchClientPaysAHyphaEndpoint() throws Exception {
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        BigInteger payeeBefore = chain.usd(chain.payee.getAddress());
        JsonNode out = JSON.readTree(OfficialX402Peer.pay(chain.url(X402Chain.PAID_PATH), privateKey(chain.payer),
                X402.network(chain.client.chainId()), chain.token().toChecksumString(), "10000"));
        assertThat(out.get("status").intValue()).as(out.toString()).isEqualTo(200);
        assertThat(JSON.readTree(out.get("body").textValue()).get("hello").textValue()).isEqualTo("world");
        JsonNode settlement = out.get("paymentResponse");
        assertThat(settlement.get("success").booleanValue()).isTrue();
        assertThat(settlement.get("network").textValue()).isEqualTo("eip155:" + chain.client.chainId());
        assertThat(settlement.get("transaction").textValue()).matches("0x[0-9a-f]{64}");
        assertThat(settlement.get("payer").textValue()).isEqualToIgnoringCase(chain.payer.getAddress());
        BigInteger price = BigInteger.valueOf(X402Chain.PRICE);
        assertThat(chain.usd(chain.payee.getAddress())).isEqualTo(payeeBefore.add(price));
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(price));
    }

    @Test
    void hyphaClientPaysAnOfficialExpressServerThroughTheHyphaFacilitator() throws Exception {
        Credentials seller = chain.devnet.account(4);
        BigInteger payerBefore = chain.usd(chain.payer.getAddress());
        BigInteger sellerBefore = chain.usd(seller.getAddress());
        try (OfficialX402Peer.Server express = OfficialX402Peer.serve(chain.url(FacilitatorRoutes.PREFIX),
                X402.network(chain.client.chainId()), chain.token().toChecksumString(), "2500", seller.getAddress(),
                Deployer.PAYMENT_NAME)) {
            X402Client client = new X402Client(HttpClient.newHttpClient(), chain.payer,
                    new X402Client.Limits(chain.client.chainId(), BigInteger.valueOf(10_000)), Clock.systemUTC(),
                    new SecureRandom());
            X402Client.Result result = client.send(HttpRequest.newBuilder(URI.create(express.url("/weather"))).GET().build());
            String body = new String(result.response().body(), StandardCharsets.UTF_8);
            String required = result.response().headers().firstValue(X402.PAYMENT_REQUIRED)
                    .map(h -> new String(java.util.Base64.getDecoder().decode(h), StandardCharsets.UTF_8)).orElse("");
            assertThat(result.response().statusCode()).as(body + "\n" + required + "\n" + express.log).isEqualTo(200);
            assertThat(JSON.readTree(body).get("weather").textValue()).isEqualTo("sunny");
            ExactPayment paid = result.payment().orElseThrow();
            assertThat(paid.accepted().amount()).isEqualTo(BigInteger.valueOf(2500));
            Settlement s = result.settlement().orElseThrow();
            assertThat(s.success()).isTrue();
            assertThat(s.transaction()).matches("0x[0-9a-f]{64}");
        }
        assertThat(chain.usd(seller.getAddress())).isEqualTo(sellerBefore.add(BigInteger.valueOf(2500)));
        assertThat(chain.usd(chain.payer.getAddress())).isEqualTo(payerBefore.subtract(BigInteger.valueOf(2500)));
    }

    private static String privateKey(Credentials key) {
        return Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64);
    }
}
