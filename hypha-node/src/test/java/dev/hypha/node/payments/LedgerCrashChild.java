package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.core.crypto.Eip712;
import java.math.BigInteger;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LedgerKillTest}: acts on a ledger forever, printing a line after each step returns
 * (what the process would then act on: hand a voucher to a provider, or serve a request), until it is killed.
 */
public final class LedgerCrashChild {
    private LedgerCrashChild() {}

    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        ChannelParams c = LedgerFixtures.channel(1);
        BigInteger deposit = BigInteger.TEN.pow(30);
        if (args[0].equals("payer")) {
            try (PayerLedger ledger = PayerLedger.open(file, DOMAIN)) {
                ledger.track(c, deposit);
                for (long total = ledger.signedTotal(c.id()).longValueExact() + 1; ; total++) {
                    ledger.authorize(c.id(), BigInteger.valueOf(total), data -> Eip712.sign(data, PAYER));
                    System.out.println("SIGNED " + total);
                    System.out.flush();
                }
            }
        }
        try (ProviderLedger ledger = ProviderLedger.open(file, DOMAIN)) {
            ledger.track(c, deposit);
            long start = ledger.best(c.id()).map(v -> v.cumulativeAmount().longValueExact()).orElse(0L) + 1;
            for (long total = start; ; total++) {
                ledger.accept(LedgerFixtures.voucher(PAYER, c.id(), total), BigInteger.ONE);
                System.out.println("ACCEPTED " + total);
                System.out.flush();
            }
        }
    }
}
