package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.errors.HyphaException;
import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in fetch against real servers on loopback: what it reads, and each thing it refuses. */
class HttpFetchTest {
    private LoopbackPages pages;
    private LoopbackPages other;

    @BeforeEach
    void start() throws Exception {
        pages = new LoopbackPages();
        other = new LoopbackPages();
    }

    @AfterEach
    void stop() {
        pages.close();
        other.close();
    }

    private HttpFetch fetch(String extra) throws Exception {
        String json = "{\"hosts\":[\"127.0.0.1:" + pages.port() + "\"],\"maxBytes\":1000,\"timeoutSeconds\":1" + extra + "}";
        return new HttpFetch(FetchPolicy.parse("t", new ObjectMapper().readTree(json)));
    }

    @Test
    void readsTextAndJsonFromAnAllowedLoopbackHost() throws Exception {
        try (HttpFetch f = fetch("")) {
            HttpFetch.Fetched hello = f.fetch(pages.url("/hello"));
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.bytes()).isEqualTo(5);
            assertThat(hello.result()).isEqualTo("HTTP 200 text/plain; charset=utf-8: hello");
            assertThat(f.fetch(pages.url("/json")).text()).isEqualTo("{\"price\":42}");
            HttpFetch.Fetched missing = f.fetch(pages.url("/nope"));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.text()).isEqualTo("no such page");
        }
    }

    @Test
    void refusesHostsAndPortsOffTheListWithoutSendingAnything() throws Exception {
        try (HttpFetch f = fetch("")) {
            assertThatThrownBy(() -> f.fetch(other.url("/hello"))).isInstanceOf(HyphaException.class)
                    .hasMessageContaining("is not on the fetch allowlist");
            // the same server by another name is another host: entries are exact
            assertThatThrownBy(() -> f.fetch("http://localhost:" + pages.port() + "/hello"))
                    .hasMessageContaining("not on the fetch allowlist");
            assertThatThrownBy(() -> f.fetch("file:///etc/passwd")).hasMessageContaining("not an http(s) URL");
            assertThatThrownBy(() -> f.fetch("http://user:pw@127.0.0.1:" + pages.port() + "/hello"))
                    .hasMessageContaining("user info");
            assertThatThrownBy(() -> f.fetch("not a url")).hasMessageContaining("not a URL");
        }
        assertThat(other.hits("/hello")).isZero();
        assertThat(pages.hits("/hello")).isZero();
    }

    @Test
    void plainHttpOnlyForLoopbackAndPrivateAddressesOnlyWhenListedAsLoopback() throws Exception {
        FetchPolicy p = FetchPolicy.parse("t", new ObjectMapper().readTree(
                "{\"hosts\":[\"example.com\",\"10.1.2.3\",\"169.254.169.254\",\"localhost:" + pages.port() + "\"]}"));
        try (HttpFetch f = new HttpFetch(p)) {
            assertThatThrownBy(() -> f.fetch("http://example.com/")).hasMessageContaining("plain http only for a loopback");
            // listed, but not as loopback: a private or link-local address (cloud metadata) is refused before connecting
            assertThatThrownBy(() -> f.fetch("https://10.1.2.3/")).hasMessageContaining("resolves to 10.1.2.3, a private");
            assertThatThrownBy(() -> f.fetch("https://169.254.169.254/latest/meta-data/"))
                    .hasMessageContaining("resolves to 169.254.169.254, a private");
            // localhost listed explicitly: allowed, over plain http
            assertThat(f.fetch("http://localhost:" + pages.port() + "/hello").text()).isEqualTo("hello");
        }
        assertThat(HttpFetch.isPublic(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("192.168.1.1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("100.64.0.1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("fd00::1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("::ffff:10.0.0.1"))).isFalse();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("93.184.216.34"))).isTrue();
        assertThat(HttpFetch.isPublic(InetAddress.getByName("2606:4700::1"))).isTrue();
    }

    @Test
    void aPublicNameThatResolvesToThisMachineIsRefused() {
        // a name listed as public whose DNS answer is loopback (the rebinding case), checked on the address list
        FetchPolicy.Host listedAsPublic = new FetchPolicy.Host("rebind.example", java.util.Optional.empty(), false);
        assertThatThrownBy(() -> HttpFetch.checkAddresses(URI.create("https://127.0.0.1/"), listedAsPublic))
                .hasMessageContaining("resolves to 127.0.0.1, a private, loopback or link-local address");
        FetchPolicy.Host loopback = new FetchPolicy.Host("localhost", java.util.Optional.empty(), true);
        HttpFetch.checkAddresses(URI.create("http://localhost/"), loopback);
    }

    @Test
    void followsRedirectsOnlyWithinTheListAndOnlyAsManyAsAllowed() throws Exception {
        try (HttpFetch f = fetch("")) {
            HttpFetch.Fetched r = f.fetch(pages.url("/to-hello"));
            assertThat(r.text()).isEqualTo("hello");
            assertThat(r.url().toString()).isEqualTo(pages.url("/hello"));
            assertThat(r.redirects()).containsExactly("302 " + pages.url("/hello"));
            assertThatThrownBy(() -> f.fetch(pages.url("/to?" + other.url("/hello"))))
                    .hasMessageContaining("redirects (302) off the allowlist");
            assertThatThrownBy(() -> f.fetch(pages.url("/to?http://169.254.169.254/")))
                    .hasMessageContaining("off the allowlist");
            assertThat(f.fetch(pages.url("/to?/to-hello")).redirects()).hasSize(2);
        }
        assertThat(other.hits("/hello")).isZero();
        try (HttpFetch none = fetch(",\"redirects\":0")) {
            assertThatThrownBy(() -> none.fetch(pages.url("/to-hello"))).hasMessageContaining("follows no redirects");
        }
        try (HttpFetch one = fetch(",\"redirects\":1")) {
            assertThatThrownBy(() -> one.fetch(pages.url("/to?/to-hello"))).hasMessageContaining("more than 1 redirects");
        }
    }

    @Test
    void refusesBodiesOverTheLimitWithOrWithoutALength() throws Exception {
        try (HttpFetch f = fetch("")) {
            assertThatThrownBy(() -> f.fetch(pages.url("/big"))).hasMessageContaining(LoopbackPages.BIG + " bytes")
                    .hasMessageContaining("fetch.maxBytes is 1000");
            assertThatThrownBy(() -> f.fetch(pages.url("/big-chunked"))).hasMessageContaining("more than 1000 bytes");
        }
    }

    @Test
    void readsOnlyTextAndJson() throws Exception {
        try (HttpFetch f = fetch("")) {
            assertThatThrownBy(() -> f.fetch(pages.url("/png"))).hasMessageContaining("content type 'image/png'");
        }
        assertThat(HttpFetch.isText("application/problem+json")).isTrue();
        assertThat(HttpFetch.isText("application/octet-stream")).isFalse();
    }

    @Test
    void aServerThatDoesNotAnswerOrTricklesIsCutOffAtTheTimeout() throws Exception {
        try (HttpFetch f = fetch("")) {
            assertThatThrownBy(() -> f.fetch(pages.url("/slow"))).isInstanceOf(HyphaException.class)
                    .hasMessageContaining("did not answer within 1 s");
            assertThatThrownBy(() -> f.fetch(pages.url("/trickle"))).hasMessageContaining("did not send its body within 1 s");
        }
    }

    @Test
    void a402IsGivenBackAsAResultNotPaid() throws Exception {
        try (HttpFetch f = fetch("")) {
            HttpFetch.Fetched r = f.fetch(pages.url("/pay"));
            assertThat(r.status()).isEqualTo(402);
            assertThat(r.text()).contains("payment required (no x402 PAYMENT-REQUIRED header)");
        }
    }

    /** A resolver that answers {@code first} once and {@code then} ever after, counting the questions. */
    private static final class ChangingResolver implements HttpFetch.Resolver {
        final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        private final String first;
        private final String then;

        ChangingResolver(String first, String then) {
            this.first = first;
            this.then = then;
        }

        @Override
        public InetAddress[] resolve(String host) throws java.net.UnknownHostException {
            return new InetAddress[] {InetAddress.getByName(asked.getAndIncrement() == 0 ? first : then)};
        }
    }

    @Test
    void theConnectionGoesToTheAddressCheckedNotToASecondLookup() throws Exception {
        // the same port on 127.0.0.2: where a second lookup would send the request
        try (LoopbackPages elsewhere = new LoopbackPages("127.0.0.2", pages.port())) {
            ChangingResolver dns = new ChangingResolver("127.0.0.1", "127.0.0.2");
            FetchPolicy p = FetchPolicy.parse("t", new ObjectMapper().readTree(
                    "{\"hosts\":[\"localhost:" + pages.port() + "\"],\"timeoutSeconds\":2}"));
            try (HttpFetch f = new HttpFetch(p, dns)) {
                assertThat(f.fetch("http://localhost:" + pages.port() + "/hello").text()).isEqualTo("hello");
            }
            assertThat(dns.asked.get()).isEqualTo(1);
            assertThat(pages.hits("/hello")).isEqualTo(1);
            assertThat(elsewhere.hits("/hello")).isZero();
        }
    }

    @Test
    void aNameThatRebindsToLoopbackAfterTheCheckIsNeverFetchedFromLoopback() throws Exception {
        // listed as public; its first answer is public (TEST-NET-1, unreachable here), every later one this machine
        ChangingResolver dns = new ChangingResolver("192.0.2.1", "127.0.0.1");
        FetchPolicy p = FetchPolicy.parse("t", new ObjectMapper().readTree(
                "{\"hosts\":[\"rebind.example:" + pages.port() + "\"],\"timeoutSeconds\":1}"));
        try (HttpFetch f = new HttpFetch(p, dns)) {
            assertThatThrownBy(() -> f.fetch("https://rebind.example:" + pages.port() + "/hello"))
                    .isInstanceOf(HyphaException.class)
                    .hasMessageContaining("(192.0.2.1)");
        }
        assertThat(dns.asked.get()).isEqualTo(1);
        assertThat(pages.hits("/hello")).isZero();
        // and a first answer of loopback is refused before any connection, as before
        ChangingResolver loopbackFirst = new ChangingResolver("127.0.0.1", "192.0.2.1");
        try (HttpFetch f = new HttpFetch(p, loopbackFirst)) {
            assertThatThrownBy(() -> f.fetch("https://rebind.example:" + pages.port() + "/hello"))
                    .hasMessageContaining("resolves to 127.0.0.1, a private, loopback or link-local address");
        }
        assertThat(loopbackFirst.asked.get()).isEqualTo(1);
    }
}
