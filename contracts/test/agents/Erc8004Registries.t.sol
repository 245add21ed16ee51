// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {Eip3009Signer} from "../utils/Eip3009Signer.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {IdentityRegistry} from "../../src/agents/IdentityRegistry.sol";
import {ReputationRegistry} from "../../src/agents/ReputationRegistry.sol";
import {ValidationRegistry} from "../../src/agents/ValidationRegistry.sol";
import {PaymentReceipts} from "../../src/agents/PaymentReceipts.sol";
import {ServiceEscrow} from "../../src/agents/ServiceEscrow.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";

/// @notice The ERC-8004 registries: identities with verified wallets, feedback that exists only with a payment
/// from the rater to the agent (channel, EIP-3009 receipt or escrow release) and is weighted by it, and validation
/// answered only by the named validator until final.
contract Erc8004RegistriesTest is HyphaTest {
    PaymentToken internal usd;
    PaymentChannels internal channels;
    PaymentReceipts internal receipts;
    ServiceEscrow internal escrow;
    IdentityRegistry internal identity;
    ReputationRegistry internal reputation;
    ValidationRegistry internal validation;

    address internal agentOwner;
    uint256 internal agentOwnerKey;
    address internal wallet;
    uint256 internal walletKey;
    address internal client;
    uint256 internal clientKey;
    address internal client2;
    uint256 internal client2Key;
    address internal validator;
    address internal stranger;
    uint256 internal agentId;

    function setUp() public {
        vm.warp(1_700_000_000);
        (agentOwner, agentOwnerKey) = makeAccount("agent owner");
        (wallet, walletKey) = makeAccount("agent wallet");
        (client, clientKey) = makeAccount("client");
        (client2, client2Key) = makeAccount("client2");
        validator = makeAddr("validator");
        stranger = makeAddr("stranger");
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        channels = new PaymentChannels(1 days);
        receipts = new PaymentReceipts(IERC20(address(usd)));
        escrow = new ServiceEscrow();
        identity = new IdentityRegistry();
        reputation = new ReputationRegistry(identity, IERC20(address(usd)), channels, receipts, escrow);
        validation = new ValidationRegistry(identity);
        usd.mint(client, 1_000e6);
        usd.mint(client2, 1_000e6);
        vm.prank(agentOwner);
        agentId = identity.register("ipfs://bafyregistration");
    }

    // ---------------------------------------------------------------------------------------------- identity

    function test_Register_MintsWithUriAndOwnerAsWallet() public view {
        vm.assertEq(agentId, 1);
        vm.assertEq(identity.ownerOf(agentId), agentOwner);
        vm.assertEq(identity.tokenURI(agentId), "ipfs://bafyregistration");
        vm.assertEq(identity.getAgentWallet(agentId), agentOwner);
        vm.assertEq(identity.totalAgents(), 1);
    }

    function test_Register_WithMetadata_RefusesReservedKey() public {
        IdentityRegistry.MetadataEntry[] memory entries = new IdentityRegistry.MetadataEntry[](1);
        entries[0] = IdentityRegistry.MetadataEntry("model", bytes("hypha-tiny"));
        vm.prank(stranger);
        uint256 id = identity.register("https://agent.example/.well-known/agent-registration.json", entries);
        vm.assertEq(identity.getMetadata(id, "model"), bytes("hypha-tiny"));
        entries[0] = IdentityRegistry.MetadataEntry("agentWallet", abi.encodePacked(stranger));
        vm.expectRevert(IdentityRegistry.ReservedMetadataKey.selector);
        identity.register("x", entries);
        vm.prank(agentOwner);
        vm.expectRevert(IdentityRegistry.ReservedMetadataKey.selector);
        identity.setMetadata(agentId, "agentWallet", abi.encodePacked(stranger));
    }

    function test_SetAgentUriAndMetadata_OwnerOnly() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.NotAuthorized.selector, stranger, agentId));
        identity.setAgentURI(agentId, "ipfs://evil");
        vm.expectEmit(address(identity));
        emit IdentityRegistry.URIUpdated(agentId, "ipfs://v2", agentOwner);
        vm.prank(agentOwner);
        identity.setAgentURI(agentId, "ipfs://v2");
        vm.assertEq(identity.tokenURI(agentId), "ipfs://v2");
        vm.prank(agentOwner);
        vm.expectRevert(IdentityRegistry.InvalidMetadata.selector);
        identity.setMetadata(agentId, "k", new bytes(1025));
    }

    function test_SetAgentWallet_NeedsTheWalletsConsent() public {
        uint256 deadline = block.timestamp + 5 minutes;
        bytes32 digest = identity.agentWalletDigest(agentId, wallet, agentOwner, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(agentOwnerKey, digest); // wrong signer
        vm.prank(agentOwner);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.InvalidWalletSignature.selector, wallet));
        identity.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));
        (v, r, s) = vm.sign(walletKey, digest);
        vm.prank(agentOwner);
        identity.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));
        vm.assertEq(identity.getAgentWallet(agentId), wallet);
        // Too far ahead, or expired.
        vm.prank(agentOwner);
        vm.expectRevert(abi.encodeWithSelector(IdentityRegistry.InvalidDeadline.selector, block.timestamp + 6 minutes));
        identity.setAgentWallet(agentId, wallet, block.timestamp + 6 minutes, abi.encodePacked(r, s, v));
    }

    function test_SetAgentWallet_AcceptsErc1271AgentAccount() public {
        // The wallet proof needs only the account's ERC-1271 answer (its owner's signature), not an EntryPoint.
        AgentAccount account = new AgentAccount(IEntryPoint(makeAddr("entry point")), wallet, address(0), 1 days);
        uint256 deadline = block.timestamp + 1 minutes;
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(walletKey, identity.agentWalletDigest(agentId, address(account), agentOwner, deadline));
        vm.prank(agentOwner);
        identity.setAgentWallet(agentId, address(account), deadline, abi.encodePacked(r, s, v));
        vm.assertEq(identity.getAgentWallet(agentId), address(account));
    }

    function test_Transfer_ClearsWallet() public {
        vm.prank(agentOwner);
        identity.transferFrom(agentOwner, stranger, agentId);
        vm.assertEq(identity.getAgentWallet(agentId), address(0));
        vm.assertEq(identity.ownerOf(agentId), stranger);
    }

    // ---------------------------------------------------------------------------------------------- reputation

    function _feedback(int128 value) internal pure returns (ReputationRegistry.FeedbackInput memory) {
        return ReputationRegistry.FeedbackInput(value, 0, "quality", "inference", "https://agent/api", "", 0);
    }

    function _paidChannel(address payer, uint256 payerKey, uint256 amount) internal returns (ReputationRegistry.PaymentProof memory p) {
        PaymentChannels.Channel memory c =
            PaymentChannels.Channel(payer, agentOwner, IERC20(address(usd)), payer, bytes32(amount));
        vm.startPrank(payer);
        usd.approve(address(channels), amount);
        channels.open(c, amount);
        vm.stopPrank();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(channels.channelIdOf(c), amount));
        channels.redeem(c, amount, abi.encodePacked(r, s, v));
        p.kind = ReputationRegistry.ProofKind.Channel;
        p.channel = c;
    }

    function _emptyChannel() internal pure returns (PaymentChannels.Channel memory c) {}

    function test_GiveFeedback_WithoutProof_Reverts() public {
        vm.prank(client);
        vm.expectRevert(ReputationRegistry.PaymentProofRequired.selector);
        reputation.giveFeedback(agentId, 90, 0, "", "", "", "", 0);
    }

    function test_Feedback_ByChannelPayment_WeightedAndOncePerPayment() public {
        ReputationRegistry.PaymentProof memory p = _paidChannel(client, clientKey, 30e6);
        vm.prank(client);
        uint64 index = reputation.giveFeedbackWithPayment(agentId, _feedback(90), p);
        vm.assertEq(index, 1);
        vm.assertEq(reputation.feedbackWeight(agentId, client, 1), 30e6);
        bytes32 proofId = reputation.proofIdOf(p);
        vm.assertTrue(reputation.proofUsed(proofId));
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ReputationRegistry.PaymentAlreadyUsed.selector, proofId));
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p);
        // Someone else citing the client's payment proves nothing.
        vm.prank(client2);
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector);
        reputation.giveFeedbackWithPayment(agentId, _feedback(0), p);
    }

    function test_Feedback_UnpaidChannel_NotProven() public {
        PaymentChannels.Channel memory c = PaymentChannels.Channel(client, agentOwner, IERC20(address(usd)), client, 0);
        vm.startPrank(client);
        usd.approve(address(channels), 10e6);
        channels.open(c, 10e6);
        ReputationRegistry.PaymentProof memory p;
        p.channel = c;
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector);
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p);
        vm.stopPrank();
    }

    function test_Feedback_PaymentToSomeoneElse_NotProven() public {
        PaymentChannels.Channel memory c = PaymentChannels.Channel(client, stranger, IERC20(address(usd)), client, 0);
        vm.startPrank(client);
        usd.approve(address(channels), 10e6);
        channels.open(c, 10e6);
        vm.stopPrank();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(clientKey, channels.voucherDigest(channels.channelIdOf(c), 10e6));
        channels.redeem(c, 10e6, abi.encodePacked(r, s, v));
        ReputationRegistry.PaymentProof memory p;
        p.channel = c;
        vm.prank(client);
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector);
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p);
    }

    function test_Feedback_OwnerCannotRateItself() public {
        vm.prank(agentOwner);
        identity.setApprovalForAll(client, true);
        ReputationRegistry.PaymentProof memory p = _paidChannel(client, clientKey, 5e6);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ReputationRegistry.SelfFeedback.selector, client));
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p);
    }

    function test_Feedback_ByEip3009Receipt() public {
        Eip3009Signer.Authorization memory a =
            Eip3009Signer.Authorization(client, agentOwner, 12e6, 0, block.timestamp + 1 hours, bytes32("x402"));
        bytes memory sig = Eip3009Signer.signPacked(clientKey, Eip3009Signer.transferDigest(usd, a));
        vm.prank(stranger); // the facilitator
        bytes32 receiptId = receipts.settle(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
        vm.assertEq(usd.balanceOf(agentOwner), 12e6);
        ReputationRegistry.PaymentProof memory p =
            ReputationRegistry.PaymentProof(ReputationRegistry.ProofKind.Receipt, receiptId, _emptyChannel());
        vm.prank(client);
        reputation.giveFeedbackWithPayment(agentId, _feedback(80), p);
        vm.assertEq(reputation.feedbackWeight(agentId, client, 1), 12e6);
        // A made-up receipt id proves nothing.
        p.ref = bytes32("made up");
        vm.prank(client);
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector);
        reputation.giveFeedbackWithPayment(agentId, _feedback(80), p);
    }

    function test_Feedback_ByEscrowRelease() public {
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = 50e6;
        uint64[] memory deadlines = new uint64[](1);
        deadlines[0] = uint64(block.timestamp + 1 days);
        vm.startPrank(client);
        usd.approve(address(escrow), 50e6);
        uint256 id = escrow.create(agentOwner, address(0), IERC20(address(usd)), amounts, deadlines, 1 days, 0);
        ReputationRegistry.PaymentProof memory p =
            ReputationRegistry.PaymentProof(ReputationRegistry.ProofKind.Escrow, bytes32(id), _emptyChannel());
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector); // nothing released yet
        reputation.giveFeedbackWithPayment(agentId, _feedback(70), p);
        escrow.accept(id, 0);
        reputation.giveFeedbackWithPayment(agentId, _feedback(70), p);
        vm.stopPrank();
        vm.assertEq(reputation.feedbackWeight(agentId, client, 1), 50e6);
    }

    function test_Summary_IsPaymentWeighted_NeedsRaters_SkipsRevoked() public {
        ReputationRegistry.PaymentProof memory p1 = _paidChannel(client, clientKey, 30e6);
        ReputationRegistry.PaymentProof memory p2 = _paidChannel(client2, client2Key, 10e6);
        vm.prank(client);
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p1);
        vm.prank(client2);
        reputation.giveFeedbackWithPayment(agentId, ReputationRegistry.FeedbackInput(-2000, 2, "quality", "inference", "", "", 0), p2);
        address[] memory raters = new address[](2);
        raters[0] = client;
        raters[1] = client2;
        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, raters, "", "");
        vm.assertEq(count, 2);
        vm.assertEq(decimals, 18);
        // (100 * 30 + (-20) * 10) / 40 = 70
        vm.assertTrue(value == 70e18);
        (count,,) = reputation.getSummary(agentId, raters, "speed", "");
        vm.assertEq(count, 0);
        vm.prank(client2);
        reputation.revokeFeedback(agentId, 1);
        (count, value,) = reputation.getSummary(agentId, raters, "", "");
        vm.assertEq(count, 1);
        vm.assertTrue(value == 100e18);
        vm.expectRevert(ReputationRegistry.InvalidClientList.selector);
        reputation.getSummary(agentId, new address[](0), "", "");
        (int128 v,, string memory tag1,, bool revoked) = reputation.readFeedback(agentId, client2, 1);
        vm.assertTrue(v == -2000);
        vm.assertEq(tag1, "quality");
        vm.assertTrue(revoked);
    }

    function test_Responses_Counted() public {
        ReputationRegistry.PaymentProof memory p = _paidChannel(client, clientKey, 1e6);
        vm.prank(client);
        reputation.giveFeedbackWithPayment(agentId, _feedback(10), p);
        vm.prank(agentOwner);
        reputation.appendResponse(agentId, client, 1, "ipfs://refund-offered", 0);
        vm.prank(stranger);
        reputation.appendResponse(agentId, client, 1, "ipfs://audit", 0);
        address[] memory responders = new address[](1);
        responders[0] = agentOwner;
        vm.assertEq(reputation.getResponseCount(agentId, client, 1, responders), 1);
        vm.assertEq(reputation.getResponseCount(agentId, client, 0, new address[](0)), 2);
        vm.expectRevert(abi.encodeWithSelector(ReputationRegistry.FeedbackNotFound.selector, agentId, client, 2));
        reputation.appendResponse(agentId, client, 2, "x", 0);
    }

    function testFuzz_Feedback_ValueBounds(int128 value, uint8 decimals) public {
        ReputationRegistry.PaymentProof memory p = _paidChannel(client, clientKey, 1e6);
        ReputationRegistry.FeedbackInput memory f = _feedback(value);
        f.valueDecimals = decimals;
        int256 scaled = decimals <= 18 ? int256(value) * int256(10 ** uint256(18 - decimals)) : int256(0);
        bool ok = decimals <= 18 && scaled <= 1e38 && scaled >= -1e38;
        vm.prank(client);
        if (!ok) vm.expectRevert(ReputationRegistry.InvalidFeedback.selector);
        reputation.giveFeedbackWithPayment(agentId, f, p);
        if (ok) {
            address[] memory raters = new address[](1);
            raters[0] = client;
            (, int128 summary,) = reputation.getSummary(agentId, raters, "", "");
            vm.assertTrue(int256(summary) == scaled);
        }
    }

    /// @dev Whatever proof a rater makes up (any kind, any reference, any channel parameters), without a real
    /// payment from it to the agent no feedback is recorded.
    function testFuzz_Feedback_MadeUpProofsNeverCount(uint8 kind, bytes32 ref, address payee, bytes32 salt, uint96 deposit)
        public
    {
        ReputationRegistry.PaymentProof memory p;
        p.kind = ReputationRegistry.ProofKind(bound(kind, 0, 2));
        p.ref = ref;
        p.channel = PaymentChannels.Channel(client, payee, IERC20(address(usd)), client, salt);
        if (deposit != 0 && payee != address(0) && payee != client) {
            // A real but unredeemed channel: money locked, nothing paid yet.
            uint256 amount = bound(deposit, 1, 1_000e6);
            vm.startPrank(client);
            usd.approve(address(channels), amount);
            channels.open(p.channel, amount);
            vm.stopPrank();
        }
        vm.prank(client);
        vm.expectRevert(ReputationRegistry.PaymentNotProven.selector);
        reputation.giveFeedbackWithPayment(agentId, _feedback(100), p);
        vm.assertEq(reputation.getLastIndex(agentId, client), 0);
    }

    // ---------------------------------------------------------------------------------------------- validation

    function test_Validation_OnlyNamedValidatorAnswers_UntilFinal() public {
        bytes32 requestHash = keccak256("inference request + claimed output");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ValidationRegistry.NotAuthorized.selector, stranger, agentId));
        validation.validationRequest(validator, agentId, "ipfs://req", requestHash);
        vm.prank(agentOwner);
        validation.validationRequest(validator, agentId, "ipfs://req", requestHash);
        vm.prank(agentOwner);
        vm.expectRevert(abi.encodeWithSelector(ValidationRegistry.RequestExists.selector, requestHash));
        validation.validationRequest(validator, agentId, "ipfs://req", requestHash);

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ValidationRegistry.NotValidator.selector, stranger, validator));
        validation.validationResponse(requestHash, 100, "", 0, "replay");
        vm.prank(validator);
        vm.expectRevert(ValidationRegistry.InvalidResponse.selector);
        validation.validationResponse(requestHash, 101, "", 0, "replay");
        vm.prank(validator);
        validation.validationResponse(requestHash, 50, "", 0, "soft");
        vm.prank(validator);
        validation.validationResponse(requestHash, 100, "ipfs://transcript", keccak256("t"), "replay");
        vm.prank(validator);
        validation.finalizeValidation(requestHash);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(ValidationRegistry.AlreadyFinal.selector, requestHash));
        validation.validationResponse(requestHash, 0, "", 0, "replay");

        (address v, uint256 id, uint8 response,, string memory tag,) = validation.getValidationStatus(requestHash);
        vm.assertEq(v, validator);
        vm.assertEq(id, agentId);
        vm.assertEq(response, 100);
        vm.assertEq(tag, "replay");
        (uint64 count, uint8 avg) = validation.getSummary(agentId, new address[](0), "replay");
        vm.assertEq(count, 1);
        vm.assertEq(avg, 100);
        vm.assertEq(validation.getAgentValidations(agentId).length, 1);
        vm.assertEq(validation.getValidatorRequests(validator)[0], requestHash);
    }
}
