package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.ProviderRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a provider registered on-chain is shown, never interpreted by the terminal. */
class ProviderShowTest {

    @Test
    void escapeSequencesInARegisteredRecordReachTheTerminalOnlyAsVisibleText() {
        ProviderRegistryClient.ProviderInfo hostile = new ProviderRegistryClient.ProviderInfo(
                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                "https://p.example\u001b[2J\u001b]0;owned\u0007",
                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                List.of("inference\u001b[31m"),
                "bafy\r\u001b[1Aprovider verified by Hypha",
                true, 1_700_000_000L, 1_700_000_000L);
        StringWriter text = new StringWriter();

        ProviderCommand.Show.print(new PrintWriter(text), hostile, true, BigInteger.TEN.pow(21));

        String shown = text.toString();
        assertThat(shown.replace("\n", "")).doesNotContain("\u001b", "\u0007", "\r");
        assertThat(shown).contains("  Endpoint   https://p.example\\x1b[2J\\x1b]0;owned\\x07")
                .contains("  Services   inference\\x1b[31m")
                .contains("  Metadata   bafy\\x0d\\x1b[1Aprovider verified by Hypha");
    }
}
