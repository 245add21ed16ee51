package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.Deployer.hyp;
import static dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.ChainException;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.ErrorCategory;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** Deploys once to a real anvil and drives the contracts through the facade the CLI uses. */
class HyphaContractsTest {
    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static HyphaContracts admin;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        admin = as(devnet.account(0));
        for (int i = 1; i <= 4; i++) {
            admin.hyp().transfer(devnet.account(i).getAddress(), hyp(5_000));
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    @Test
    void deploymentHasCodeAndTheConfiguredParameters() {
        assertThat(deployment.chainId()).isEqualTo(31337);
        assertThat(deployment.contracts()).containsOnlyKeys(HyphaAbis.NAMES);
        assertThat(Deployments.verify(deployment, client)).isEmpty();
        assertThat(admin.staking().unbondingPeriod()).isEqualTo(60);
        assertThat(admin.governance().delay()).isEqualTo(120);
        assertThat(deployment.governanceDelaySeconds()).isEqualTo(120);
        assertThat(deployment.governor()).isEqualTo(devnet.account(0).getAddress());
        assertThat(admin.registry().minStake()).isEqualTo(hyp(1_000));
        // The initial supply went to the deployer (tests move it around afterwards; the supply stays).
        BigInteger supply = admin.hyp().binding().totalSupply().sendAsync().join();
        assertThat(supply).isEqualTo(hyp(100_000_000));
        assertThat(admin.hyp().binding().cap().sendAsync().join()).isEqualTo(hyp(1_000_000_000));
    }

    @Test
    void readOnlyContractsReadWithoutAKeyAndRefuseEveryWrite() {
        HyphaContracts reader = HyphaContracts.readOnly(deployment, client);
        String deployer = devnet.account(0).getAddress();

        assertThat(reader.isReadOnly()).isTrue();
        assertThat(admin.isReadOnly()).isFalse();
        assertThat(reader.hyp().balanceOf(deployer)).isEqualTo(admin.hyp().balanceOf(deployer));
        assertThat(reader.registry().minStake()).isEqualTo(hyp(1_000));
        assertThat(reader.registry().providers()).isEqualTo(admin.registry().providers());
        BigInteger before = reader.hyp().balanceOf(deployer);
        assertThatThrownBy(() -> reader.hyp().transfer(deployer, BigInteger.ONE))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL))
                .hasMessageContaining("HyphaToken.transfer needs an account").hasMessageContaining("read-only");
        assertThatThrownBy(() -> reader.staking().stake(PROVIDER_ROLE, hyp(1))).hasMessageContaining("read-only");
        assertThatThrownBy(() -> reader.staking().stakeWithPermit(PROVIDER_ROLE, hyp(1), 60)).hasMessageContaining("read-only");
        assertThatThrownBy(reader::account).hasMessageContaining("read-only");
        assertThat(reader.hyp().balanceOf(deployer)).isEqualTo(before);
    }

    @Test
    void stakeUnbondAndWithdrawAfterTheUnbondingPeriod() {
        Credentials who = devnet.account(1);
        HyphaContracts c = as(who);
        String me = who.getAddress();
        BigInteger before = c.hyp().balanceOf(me);
        c.staking().stake(PROVIDER_ROLE, hyp(1_500));
        assertThat(c.staking().stakeOf(me, PROVIDER_ROLE)).isEqualTo(hyp(1_500));
        c.staking().requestUnbond(PROVIDER_ROLE, hyp(500));
        assertThat(c.staking().stakeOf(me, PROVIDER_ROLE)).isEqualTo(hyp(1_000));
        assertThat(c.staking().unbondingOf(me, PROVIDER_ROLE).amount()).isEqualTo(hyp(500));

        assertThatThrownBy(() -> c.staking().withdraw(PROVIDER_ROLE))
                .isInstanceOf(ChainException.class)
                .hasMessageStartingWith("Staking.withdraw reverted: Staking: UnbondingNotMature(releaseTime=");

        client.request("evm_increaseTime", 61);
        client.request("evm_mine");
        c.staking().withdraw(PROVIDER_ROLE);
        assertThat(c.hyp().balanceOf(me)).isEqualTo(before.subtract(hyp(1_000)));
        assertThat(c.staking().unbondingOf(me, PROVIDER_ROLE).amount()).isZero();
    }

    @Test
    void stakeWithPermitNeedsOneTransactionAndNoApprove() {
        Credentials who = devnet.account(7);
        admin.hyp().transfer(who.getAddress(), hyp(50));
        HyphaContracts c = as(who);
        BigInteger nonceBefore = client.pendingNonce(who.getAddress());
        c.staking().stakeWithPermit(PROVIDER_ROLE, hyp(50), 600);
        assertThat(c.staking().stakeOf(who.getAddress(), PROVIDER_ROLE)).isEqualTo(hyp(50));
        assertThat(client.pendingNonce(who.getAddress())).isEqualTo(nonceBefore.add(BigInteger.ONE));
        assertThatThrownBy(() -> c.staking().stakeWithPermit(PROVIDER_ROLE, hyp(1), 0)).hasMessageContaining("permit validity");
    }

    @Test
    void registerAProviderWithEnoughStake() {
        Credentials who = devnet.account(2);
        HyphaContracts c = as(who);
        c.staking().stake(PROVIDER_ROLE, hyp(1_000));
        var reg = new ProviderRegistryClient.ProviderRegistration("https://p.example:8443", devnet.account(5).getAddress(),
                List.of("inference", "training"), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
        c.registry().register(reg, c.registry().signingKeyProof(devnet.account(5)));
        var info = c.registry().provider(who.getAddress()).orElseThrow();
        assertThat(info.endpoint()).isEqualTo("https://p.example:8443");
        assertThat(info.signingKey()).isEqualTo(devnet.account(5).getAddress());
        assertThat(info.services()).containsExactly("inference", "training");
        assertThat(info.active()).isTrue();
        assertThat(c.registry().isActive(who.getAddress())).isTrue();
        assertThat(c.registry().providers()).contains(who.getAddress());
        assertThat(c.registry().provider(devnet.account(7).getAddress())).isEmpty();
    }

    @Test
    void governanceIsTheTimelockAndTheDeployerHoldsNoRole() throws Exception {
        String timelock = deployment.address("HyphaTimelock");
        String deployer = devnet.account(0).getAddress();
        assertThat(admin.staking().binding().defaultAdmin().send()).isEqualToIgnoringCase(timelock);
        assertThat(admin.registry().binding().defaultAdmin().send()).isEqualToIgnoringCase(timelock);
        assertThat(admin.hyp().binding().defaultAdmin().send()).isEqualToIgnoringCase(timelock);
        assertThat(admin.staking().binding().slashSink().send()).isEqualToIgnoringCase(timelock);
        assertThat(admin.staking().binding().defaultAdminDelay().send()).isEqualTo(BigInteger.valueOf(120));
        assertThat(admin.staking().binding().hasRole(new byte[32], deployer).send()).isFalse();
        assertThat(admin.governance().binding().hasRole(admin.governance().binding().PROPOSER_ROLE().send(), deployer).send()).isTrue();
        assertThat(admin.governance().binding().hasRole(new byte[32], deployer).send()).isFalse();
        // A direct grant by the deployer (the governor) is refused: grants go through the timelock.
        byte[] slasherRole = admin.staking().binding().SLASHER_ROLE().send();
        var direct = dev.hypha.chain.tx.TxRequest.call("Staking", "grantRole", deployment.address("Staking"),
                admin.staking().binding().grantRole(slasherRole, deployer).encodeFunctionCall());
        assertThatThrownBy(() -> sender(devnet.account(0)).send(direct))
                .hasMessageStartingWith("Staking.grantRole reverted: Staking: AccessControlUnauthorizedAccount(account="
                        + deployer);
    }

    @Test
    void aSlasherGrantRunsOnlyAfterTheGovernanceDelayAndIsBounded() throws Exception {
        Credentials staker = devnet.account(9);
        admin.hyp().transfer(staker.getAddress(), hyp(1_000));
        as(staker).staking().stake(PROVIDER_ROLE, hyp(1_000));
        Credentials slasher = devnet.account(8);
        byte[] slasherRole = admin.staking().binding().SLASHER_ROLE().send();
        var grant = admin.governance().grantRoleAction("Staking", slasherRole, slasher.getAddress());
        admin.governance().schedule(grant);
        assertThat(admin.governance().isReady(grant)).isFalse();
        assertThatThrownBy(() -> as(devnet.account(4)).governance().execute(grant))
                .hasMessageStartingWith("HyphaTimelock.execute reverted: HyphaTimelock: TimelockUnexpectedOperationState(");
        assertThatThrownBy(() -> as(slasher).staking().slash(staker.getAddress(), PROVIDER_ROLE, hyp(1_000), new byte[32]))
                .hasMessageContaining("AccessControlUnauthorizedAccount");

        client.request("evm_increaseTime", 121);
        client.request("evm_mine");
        assertThat(admin.governance().isReady(grant)).isTrue();
        as(devnet.account(4)).governance().execute(grant); // anyone executes a ready action
        as(slasher).staking().slash(staker.getAddress(), PROVIDER_ROLE, hyp(1_000), new byte[32]);
        assertThat(admin.staking().stakeOf(staker.getAddress(), PROVIDER_ROLE)).isEqualTo(hyp(900)); // 10 % per window
    }

    @Test
    void anotherSigningKeyNeedsItsOwnProof() throws Exception {
        Credentials who = devnet.account(8);
        admin.hyp().transfer(who.getAddress(), hyp(1_000));
        HyphaContracts c = as(who);
        c.staking().stake(PROVIDER_ROLE, hyp(1_000));
        String other = devnet.account(5).getAddress();
        var reg = new ProviderRegistryClient.ProviderRegistration("http://x", other, List.of("inference"), "");
        assertThatThrownBy(() -> c.registry().register(reg))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining("is not this account");
        // A proof signed by the wrong key is refused by the registry itself.
        assertThatThrownBy(() -> c.registry().register(reg, c.registry().signingKeyProof(devnet.account(6))))
                .hasMessage("ProviderRegistry.register reverted: ProviderRegistry: InvalidSigningKeyProof(signingKey="
                        + other + ")");
        // Our digest is the registry's.
        byte[] ours = dev.hypha.core.crypto.Eip712.hash(ProviderRegistryClient.signingKeyProofData(deployment, who.getAddress(), other));
        assertThat(c.registry().binding().signingKeyProofDigest(who.getAddress(), other).send()).isEqualTo(ours);
        c.registry().register(reg, c.registry().signingKeyProof(devnet.account(5)));
        assertThat(c.registry().provider(who.getAddress()).orElseThrow().signingKey()).isEqualTo(other);
        c.registry().update(new ProviderRegistryClient.ProviderRegistration("http://y", who.getAddress(), List.of("inference"), ""));
        assertThat(c.registry().provider(who.getAddress()).orElseThrow().signingKey()).isEqualTo(who.getAddress());
    }

    @Test
    void insufficientStakeIsReadable() {
        HyphaContracts c = as(devnet.account(3));
        var reg = new ProviderRegistryClient.ProviderRegistration("http://x", devnet.account(3).getAddress(), List.of("inference"), "");
        assertThatThrownBy(() -> c.registry().register(reg))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.CHAIN))
                .hasMessage("ProviderRegistry.register reverted: ProviderRegistry: InsufficientStake(have=0, need=1000000000000000000000)");
    }

    @Test
    void unauthorizedSlashIsAReadableAccessControlError() {
        Credentials intruder = devnet.account(4);
        HyphaContracts c = as(intruder);
        assertThatThrownBy(() -> c.staking().slash(devnet.account(1).getAddress(), PROVIDER_ROLE, hyp(1), new byte[32]))
                .isInstanceOf(ChainException.class)
                .hasMessageStartingWith("Staking.slash reverted: Staking: AccessControlUnauthorizedAccount(account="
                        + intruder.getAddress() + ", neededRole=0x");
    }

    @Test
    void zeroAmountIsZeroAmountAndOutOfRangeAmountsAreInputErrors() {
        HyphaContracts c = as(devnet.account(4));
        assertThatThrownBy(() -> c.staking().stake(PROVIDER_ROLE, BigInteger.ZERO))
                .hasMessage("Staking.stake reverted: Staking: ZeroAmount()");
        assertThatThrownBy(() -> c.staking().stake(PROVIDER_ROLE, BigInteger.ONE.negate()))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining("amount must be between 0 and 2^256-1");
        assertThatThrownBy(() -> c.staking().stake(PROVIDER_ROLE, BigInteger.TWO.pow(256)))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT));
        assertThatThrownBy(() -> c.hyp().transfer(devnet.account(0).getAddress(), hyp(1_000_000)))
                .hasMessageStartingWith("HyphaToken.transfer reverted: HyphaToken: ERC20InsufficientBalance(sender=");
    }

    @Test
    void aTransactionThatRevertsOnlyWhenMinedStillGetsItsDecodedReason() {
        // Two transfers of the whole balance mined in one block: the second reverts on chain, and the
        // receipt alone says nothing about why. (A fixed gas limit skips the estimate that would
        // otherwise refuse to send it.)
        Credentials who = devnet.account(6);
        admin.hyp().transfer(who.getAddress(), hyp(10));
        TransactionSender s = sender(who);
        var transfer = dev.hypha.chain.tx.TxRequest.call("HyphaToken", "transfer", deployment.address("HyphaToken"),
                admin.hyp().binding().transfer(devnet.account(0).getAddress(), hyp(10)).encodeFunctionCall())
                .withGasLimit(BigInteger.valueOf(200_000));
        client.request("evm_setAutomine", false);
        String first;
        String second;
        try {
            first = s.submit(transfer);
            second = s.submit(transfer);
            client.request("evm_mine");
        } finally {
            client.request("evm_setAutomine", true);
        }
        assertThat(s.confirm(transfer, first).isStatusOK()).isTrue();
        assertThatThrownBy(() -> s.confirm(transfer, second))
                .isInstanceOf(ChainException.class)
                .hasMessageStartingWith("HyphaToken.transfer reverted: HyphaToken: ERC20InsufficientBalance(sender="
                        + who.getAddress() + ", balance=0, needed=" + hyp(10) + ") (tx " + second);
    }

    @Test
    void badAddressesAndServiceNamesAreInputErrors() {
        assertThatThrownBy(() -> admin.hyp().balanceOf("0x1234")).hasMessageContaining("bad address '0x1234'");
        assertThatThrownBy(() -> admin.hyp().balanceOf("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")).hasMessageContaining("bad address");
        assertThatThrownBy(() -> ProviderRegistryClient.serviceId("x".repeat(33))).hasMessageContaining("at most 32");
        assertThatThrownBy(() -> ProviderRegistryClient.serviceId("")).hasMessageContaining("empty");
        assertThat(ProviderRegistryClient.serviceName(ProviderRegistryClient.serviceId("inference"))).isEqualTo("inference");
    }
}
