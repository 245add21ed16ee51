package dev.hypha.node.payments;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;

/** Fixed keys and a channel for ledger tests (no chain needed: signatures and ids are pure functions). */
final class LedgerFixtures {
    static final Credentials PAYER = key(11);
    static final Credentials PROVIDER = key(12);
    static final Credentials STRANGER = key(13);
    static final VoucherDomain DOMAIN = new VoucherDomain(31337, Address.parse("0x5fc8d32690cc91d4c39d9d3abcbd16989f875707"));
    static final Address TOKEN = Address.parse("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");

    private LedgerFixtures() {}

    static Credentials key(long seed) {
        return Credentials.create(ECKeyPair.create(BigInteger.valueOf(seed).add(BigInteger.TWO.pow(200))));
    }

    static ChannelParams channel(long n) {
        Address payer = Address.parse(PAYER.getAddress());
        return new ChannelParams(payer, Address.parse(PROVIDER.getAddress()), TOKEN, payer, ChannelParams.salt(n));
    }

    static dev.hypha.chain.channels.Voucher voucher(Credentials signer, String channelId, long total) {
        return DOMAIN.sign(channelId, BigInteger.valueOf(total), data -> Eip712.sign(data, signer));
    }
}
