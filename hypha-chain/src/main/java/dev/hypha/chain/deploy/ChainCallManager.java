package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.rpc.RpcErrorException;
import dev.hypha.chain.tx.RevertDecoder;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.tx.TransactionManager;

/**
 * Lets the generated bindings make read calls through {@link ChainClient} (our timeouts, retries
 * and decoded reverts). Writes are refused: they go through {@code TransactionSender}, which
 * manages nonces and fees for the whole process.
 */
final class ChainCallManager extends TransactionManager {
    private final ChainClient client;
    private final RevertDecoder decoder;
    private final String contract;

    /**
     * @param from     the {@code from} of read calls
     * @param decoder  decodes reverts of read calls
     * @param contract the called contract's name, to pick its ABI when decoding
     */
    ChainCallManager(ChainClient client, String from, RevertDecoder decoder, String contract) {
        super(client.web3j(), from);
        this.client = client;
        this.decoder = decoder;
        this.contract = contract;
    }

    @Override
    public String sendCall(String to, String data, DefaultBlockParameter block) {
        try {
            return client.send("eth_call", client.web3j().ethCall(
                    Transaction.createEthCallTransaction(getFromAddress(), to, data), block)).getValue();
        } catch (RpcErrorException e) {
            String reason = e.revertData().map(d -> decoder.decode(d, Optional.of(contract))).orElse(e.rpcMessage());
            throw ChainErrors.chain(contract + " call reverted: " + reason, e);
        }
    }

    @Override
    public EthGetCode getCode(String address, DefaultBlockParameter block) {
        return client.send("eth_getCode", client.web3j().ethGetCode(address, block));
    }

    @Override
    public EthSendTransaction sendTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data,
                                              BigInteger value, boolean constructor) {
        throw new UnsupportedOperationException("writes go through TransactionSender, not the bindings");
    }

    @Override
    public EthSendTransaction sendEIP1559Transaction(long chainId, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas,
                                                     BigInteger gasLimit, String to, String data, BigInteger value,
                                                     boolean constructor) {
        throw new UnsupportedOperationException("writes go through TransactionSender, not the bindings");
    }
}
