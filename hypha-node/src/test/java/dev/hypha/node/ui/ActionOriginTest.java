package dev.hypha.node.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which requests may run a spending action: the node's own page, reached by address, never a rebound name. */
class ActionOriginTest {
    @Test
    void thePageOfThisNodeByAddressOrLocalhostMayAct() {
        assertThat(ActionOrigin.refusal("http://127.0.0.1:11434", "127.0.0.1:11434")).isEmpty();
        assertThat(ActionOrigin.refusal("http://localhost:11434", "localhost:11434")).isEmpty();
        assertThat(ActionOrigin.refusal("http://[::1]:11434", "[::1]:11434")).isEmpty();
        assertThat(ActionOrigin.refusal("http://192.168.1.20:11434", "192.168.1.20:11434")).isEmpty();
        assertThat(ActionOrigin.refusal(null, "127.0.0.1:11434")).isEmpty(); // a non-browser client on loopback
    }

    @Test
    void anotherSitesPageIsRefused() {
        assertThat(ActionOrigin.refusal("https://evil.example", "127.0.0.1:11434")).get().asString()
                .contains("only from this node's own page");
        assertThat(ActionOrigin.refusal("null", "127.0.0.1:11434")).isPresent();
        assertThat(ActionOrigin.refusal("http://127.0.0.1:11434", null)).isPresent();
    }

    /**
     * DNS rebinding: evil.example first resolves to the attacker's server, then to 127.0.0.1, so its page's Origin
     * and the Host it sends match each other, yet the page is the attacker's. Only a name that cannot be rebound
     * (an IP literal, localhost) is trusted to be this node's own page.
     */
    @Test
    void aReboundNameIsRefusedEvenWhenOriginMatchesHost() {
        assertThat(ActionOrigin.refusal("http://evil.example:11434", "evil.example:11434")).get().asString()
                .contains("evil.example").contains("IP address");
        assertThat(ActionOrigin.refusal(null, "evil.example:11434")).isPresent();
        assertThat(ActionOrigin.refusal("http://127.0.0.1.evil.example:11434", "127.0.0.1.evil.example:11434"))
                .isPresent();
        assertThat(ActionOrigin.refusal("http://localhost.evil.example", "localhost.evil.example")).isPresent();
    }
}
