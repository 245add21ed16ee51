package dev.hypha.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The provider transport over real TLS on loopback: a Jetty HTTPS server (ApiServer) and the JDK's HTTP client, with
 * honest, impostor and hostile certificates, and a relaying TCP proxy in the middle.
 */
class ProviderTlsTest {
    private static final long CHAIN = 31337;
    private static final Credentials KEY_A =
            Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final Credentials KEY_B =
            Credentials.create("0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f");
    private static final Address SIGNER_A = Address.parse(KEY_A.getAddress());
    private static final Address SIGNER_B = Address.parse(KEY_B.getAddress());
    private static final Address PROVIDER = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static final String PROMPT = "prompt: the launch code of the lighthouse is 7f3a9c-octarine";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void clientBoundToSignerTalksToProviderWithThatKeyOverTls13() throws Exception {
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, PROVIDER, Clock.systemUTC()));

        HttpResponse<String> response = post(ProviderTls.client(SIGNER_A, CHAIN, PROVIDER), server.port());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("answer to " + PROMPT);
        assertThat(response.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isEqualTo("TLSv1.3"));
        assertThat(server.secure()).isTrue();
    }

    @Test
    void impostorWithAnotherKeyIsRefusedNamingExpectedAndPresentedSigner() throws Exception {
        ApiServer impostor = start(ProviderTls.server(KEY_B, CHAIN, PROVIDER, Clock.systemUTC()));

        assertRefused(impostor, "expected signer " + SIGNER_A.toChecksumString(),
                "vouched for by signer " + SIGNER_B.toChecksumString());
    }

    @Test
    void certificateWithoutBindingIsRefused() throws Exception {
        ApiServer server = start(hostile(key -> null));

        assertRefused(server, "without a Hypha key binding (extension " + TlsKeyBinding.OID.getId() + ")");
    }

    @Test
    void garbledBindingIsRefused() throws Exception {
        byte[] garbage = new byte[120];
        new Random(7).nextBytes(garbage);
        ApiServer server = start(hostile(key -> garbage));

        assertRefused(server, "malformed key binding", "not DER");
    }

    @Test
    void truncatedBindingIsRefused() throws Exception {
        ApiServer server = start(hostile(key -> Arrays.copyOf(honestBinding(key, KEY_A, CHAIN).toDer(), 90)));

        assertRefused(server, "malformed key binding");
    }

    @Test
    void oversizedBindingIsRefusedBeforeItIsParsed() throws Exception {
        ApiServer server = start(hostile(key -> new byte[4000]));

        assertRefused(server, "key binding of 4004 bytes, over the limit of " + TlsKeyBinding.MAX_DER_BYTES);
    }

    @Test
    void genuineBindingCopiedOntoAnotherKeyIsRefused() throws Exception {
        // An attacker holding a real certificate of provider A (it is public) puts A's binding into a certificate for
        // its own TLS key: the signature then covers another key's hash and recovers to some unrelated address.
        KeyPair honestKey = BindingCertificate.newTlsKey();
        byte[] copied = honestBinding(honestKey, KEY_A, CHAIN).toDer();
        ApiServer server = start(hostile(attackerKey -> copied));

        assertRefused(server, "expected signer " + SIGNER_A.toChecksumString(), "vouched for by signer");
    }

    @Test
    void expiredBindingIsRefused() throws Exception {
        Clock sevenHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(7)), Clock.systemUTC().getZone());
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, PROVIDER, sevenHoursAgo));

        assertRefused(server, "it expired");
    }

    @Test
    void bindingNotValidYetIsRefused() throws Exception {
        Clock inAnHour = Clock.fixed(Instant.now().plus(Duration.ofHours(1)), Clock.systemUTC().getZone());
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, PROVIDER, inAnHour));

        assertRefused(server, "it is not valid yet");
    }

    @Test
    void bindingForAnotherChainIsRefused() throws Exception {
        ApiServer server = start(ProviderTls.server(KEY_A, 1, PROVIDER, Clock.systemUTC()));

        assertRefused(server, "key binding for chain 1, expected chain " + CHAIN);
    }

    @Test
    void bindingForAnotherProviderIsRefused() throws Exception {
        Address other = Address.parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, other, Clock.systemUTC()));

        assertRefused(server, "key binding for provider " + other.toChecksumString());
    }

    @Test
    void serverRefusesTls12() throws Exception {
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, PROVIDER, Clock.systemUTC()));
        SSLParameters tls12 = new SSLParameters();
        tls12.setProtocols(new String[] {"TLSv1.2"});
        HttpClient client = HttpClient.newBuilder()
                .sslContext(ProviderTls.clientContext(SIGNER_A, CHAIN, PROVIDER, Clock.systemUTC()))
                .sslParameters(tls12).build();

        assertThatThrownBy(() -> post(client, server.port())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void proxyInTheMiddleRelaysOnlyCiphertext() throws Exception {
        ApiServer server = start(ProviderTls.server(KEY_A, CHAIN, PROVIDER, Clock.systemUTC()));
        RelayProxy proxy = track(new RelayProxy(server.port()));

        HttpResponse<String> response = post(ProviderTls.client(SIGNER_A, CHAIN, PROVIDER), proxy.port());

        assertThat(response.body()).isEqualTo("answer to " + PROMPT);
        byte[] seen = proxy.relayed();
        assertThat(seen.length).isGreaterThan(PROMPT.length());
        assertThat(seen[0]).as("a TLS handshake record comes first").isEqualTo((byte) 0x16);
        assertThat(indexOf(seen, PROMPT.getBytes(StandardCharsets.UTF_8))).as("prompt bytes in the relayed stream").isEqualTo(-1);
        assertThat(indexOf(seen, "7f3a9c-octarine".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    @Test
    void sameProxyOverPlainHttpSeesThePrompt() throws Exception {
        // The control for the test above: the proxy does record what it relays, so its silence there means something.
        ApiServer server = track(new ApiServer("127.0.0.1", 0, List.of(ProviderTlsTest::echo)));
        server.start();
        RelayProxy proxy = track(new RelayProxy(server.port()));

        HttpResponse<String> response = HttpClient.newHttpClient().send(request("http", proxy.port()),
                HttpResponse.BodyHandlers.ofString());

        assertThat(server.secure()).isFalse();
        assertThat(response.body()).isEqualTo("answer to " + PROMPT);
        assertThat(indexOf(proxy.relayed(), PROMPT.getBytes(StandardCharsets.UTF_8))).isNotEqualTo(-1);
    }

    @Test
    void renewedCertificateIsAcceptedByAClientAtThatTime() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        BindingIssuer issuer = new BindingIssuer(CHAIN, PROVIDER, data -> Eip712.sign(data, KEY_A));
        RotatingKeyManager keys = new RotatingKeyManager(issuer::issue, clock);
        ApiServer server = start(ProviderTls.serverContext(keys));
        clock.advance(BindingIssuer.VALIDITY.minus(RotatingKeyManager.RENEW_BEFORE).plusSeconds(1));

        HttpClient client = ProviderTls.clientBuilder(SIGNER_A, CHAIN, PROVIDER, clock).build();
        HttpResponse<String> response = post(client, server.port());

        assertThat(response.body()).isEqualTo("answer to " + PROMPT);
        assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0])
                .isEqualTo(keys.getCertificateChain("hypha-provider-1")[0]);
    }

    @Test
    void tlsServerOnATakenPortSaysSo() {
        SSLContext tls = ProviderTls.server(KEY_A, CHAIN, PROVIDER, Clock.systemUTC());
        ApiServer first = start(tls);
        ApiServer second = track(new ApiServer("127.0.0.1", first.port(), List.of(ProviderTlsTest::echo), tls));

        assertThatThrownBy(second::start).isInstanceOf(HyphaException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port());
    }

    // ---- helpers

    private static void echo(io.javalin.Javalin app) {
        app.post("/echo", ctx -> ctx.result("answer to " + ctx.body()));
    }

    private ApiServer start(SSLContext tls) {
        ApiServer server = track(new ApiServer("127.0.0.1", 0, List.of(ProviderTlsTest::echo), tls));
        server.start();
        return server;
    }

    /** A server whose certificates carry {@code extension.apply(tlsKey)} as the binding extension (null: none). */
    private static SSLContext hostile(Function<KeyPair, byte[]> extension) {
        return ProviderTls.serverContext(new RotatingKeyManager(now -> {
            KeyPair key = BindingCertificate.newTlsKey();
            return BindingCertificate.selfSigned(key, "hostile", now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofHours(6)), extension.apply(key));
        }, Clock.systemUTC()));
    }

    private static TlsKeyBinding honestBinding(KeyPair key, Credentials signer, long chainId) {
        Instant now = Instant.now();
        return TlsKeyBinding.sign(key.getPublic(), chainId, PROVIDER, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofHours(6)), data -> Eip712.sign(data, signer));
    }

    private void assertRefused(ApiServer server, String... messageParts) {
        HttpClient client = ProviderTls.client(SIGNER_A, CHAIN, PROVIDER);
        assertThatThrownBy(() -> post(client, server.port()))
                .isInstanceOf(SSLHandshakeException.class)
                .message().contains(messageParts).contains("provider " + PROVIDER.toChecksumString());
    }

    private HttpResponse<String> post(HttpClient client, int port) throws IOException, InterruptedException {
        track(client);
        return client.send(request("https", port), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String scheme, int port) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(PROMPT)).build();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
