package dev.hypha.chain.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Numeric;

/**
 * The AgentAccount voucher envelope, pinned to the bytes Solidity's {@code abi.encode(bytes32, Channel, uint256, bytes)}
 * gives (the expected words are foundry's {@code cast abi-encode} of the same values; the contract accepting them is
 * {@code AccountUptoPaymentsTest}).
 */
class AccountVoucherSignatureTest {
    private static final ChannelParams CHANNEL = new ChannelParams(Address.parse("0x1111111111111111111111111111111111111111"),
            Address.parse("0x2222222222222222222222222222222222222222"),
            Address.parse("0x3333333333333333333333333333333333333333"),
            Address.parse("0x1111111111111111111111111111111111111111"), ChannelParams.salt(5));

    @Test
    void theEnvelopeIsSolidityAbiEncodeToTheByte() {
        Voucher voucher = new Voucher(CHANNEL.id(), BigInteger.valueOf(1_000),
                new Signature(27, BigInteger.ONE, BigInteger.TWO));

        byte[] envelope = AccountVoucherSignature.envelope(CHANNEL, voucher);

        assertThat(Numeric.toHexStringNoPrefix(envelope)).isEqualTo(
                "376293404e1aca3c6bd9b39292a79f3f0186b54a9fdebb8515a554539a67c5e2"
                + "0000000000000000000000001111111111111111111111111111111111111111"
                + "0000000000000000000000002222222222222222222222222222222222222222"
                + "0000000000000000000000003333333333333333333333333333333333333333"
                + "0000000000000000000000001111111111111111111111111111111111111111"
                + "0000000000000000000000000000000000000000000000000000000000000005"
                + "00000000000000000000000000000000000000000000000000000000000003e8"
                + "0000000000000000000000000000000000000000000000000000000000000100"
                + "0000000000000000000000000000000000000000000000000000000000000041"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000002"
                + "1b00000000000000000000000000000000000000000000000000000000000000");
    }

    @Test
    void aVoucherOfAnotherChannelHasNoEnvelope() {
        Voucher other = new Voucher(ChannelParams.salt(9), BigInteger.ONE, new Signature(27, BigInteger.ONE, BigInteger.TWO));

        assertThatThrownBy(() -> AccountVoucherSignature.envelope(CHANNEL, other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not on");
    }
}
