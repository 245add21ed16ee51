// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CoordinatorFixture} from "./utils/CoordinatorFixture.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";
import {
    RevertingConsumer,
    GasBurningConsumer,
    ReturnBombConsumer,
    GasMeteringConsumer,
    ReenteringConsumer,
    ChainingConsumer
} from "./utils/HostileConsumers.sol";
import {PaymentToken} from "../src/PaymentToken.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {InferenceCoordinator} from "../src/InferenceCoordinator.sol";
import {ExampleInferenceConsumer} from "../src/examples/ExampleInferenceConsumer.sol";
import {IInferenceConsumer} from "../src/IInferenceConsumer.sol";

contract InferenceCoordinatorTest is CoordinatorFixture {
    uint64 internal constant WINDOW = 1 hours;
    bytes32 internal constant MODEL = keccak256("tiny-model");
    uint96 internal constant MAX_FEE = 10e6;

    PaymentToken internal usd;
    InferenceCoordinator internal coordinator;
    address internal requester;
    address internal provider;
    address internal other;
    address internal stranger;
    uint64 internal deadline;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployRegistry();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        coordinator = new InferenceCoordinator(registry, IERC20(address(usd)), WINDOW);
        requester = makeAddr("requester");
        provider = makeAddr("provider");
        other = makeAddr("other-provider");
        stranger = makeAddr("stranger");
        _registerProvider(provider, "provider");
        _registerProvider(other, "other");
        usd.mint(requester, 1_000e6);
        vm.prank(requester);
        usd.approve(address(coordinator), type(uint256).max);
        deadline = uint64(block.timestamp + 10 minutes);
    }

    function _request(address callback, uint32 gasLimit) internal returns (uint256 id) {
        vm.prank(requester);
        id = coordinator.request(_params(MODEL, MAX_FEE, callback, gasLimit, deadline));
    }

    function _fulfil(uint256 id, bytes memory output, uint96 fee) internal returns (bool) {
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, output, fee);
        vm.prank(provider);
        return coordinator.fulfil(id, f);
    }

    // ---------------------------------------------------------------------------------------------- constructor

    function test_Constructor_SetsEverything() public view {
        vm.assertEq(address(coordinator.registry()), address(registry));
        vm.assertEq(address(coordinator.token()), address(usd));
        vm.assertEq(uint256(coordinator.challengePeriod()), WINDOW);
        vm.assertEq(coordinator.nextRequestId(), 1);
    }

    function test_Constructor_RefusesBadArguments() public {
        vm.expectRevert(InferenceCoordinator.InvalidAddress.selector);
        new InferenceCoordinator(ProviderRegistry(address(0)), IERC20(address(usd)), WINDOW);
        vm.expectRevert(InferenceCoordinator.InvalidAddress.selector);
        new InferenceCoordinator(registry, IERC20(address(0)), WINDOW);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidChallengePeriod.selector, 31 days));
        new InferenceCoordinator(registry, IERC20(address(usd)), 31 days);
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidChallengePeriod.selector, 60));
        new InferenceCoordinator(registry, IERC20(address(usd)), 60);
    }

    function test_Constructor_AllowsShortWindowsOnTheLocalChain() public {
        vm.chainId(31337);
        vm.assertEq(uint256(new InferenceCoordinator(registry, IERC20(address(usd)), 60).challengePeriod()), 60);
    }

    // ---------------------------------------------------------------------------------------------- request

    function test_Request_EscrowsTheMaximumAndRecordsIt() public {
        InferenceCoordinator.RequestParams memory p = _params(MODEL, MAX_FEE, address(0), 0, deadline);
        bytes32 hash = coordinator.requestHashOf(1, requester, p);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.InferenceRequested(
            1, requester, MODEL, hash, p.input, 0, MAX_FEE, 16, address(0), 0, deadline
        );
        vm.prank(requester);
        uint256 id = coordinator.request(p);
        vm.assertEq(id, 1);
        vm.assertEq(usd.balanceOf(address(coordinator)), MAX_FEE);
        vm.assertEq(usd.balanceOf(requester), 1_000e6 - MAX_FEE);
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        vm.assertEq(r.requester, requester);
        vm.assertEq(r.requestHash, hash);
        vm.assertEq(uint256(r.status), uint256(InferenceCoordinator.Status.Open));
        vm.assertEq(uint256(r.maxFee), MAX_FEE);
        vm.assertEq(coordinator.nextRequestId(), 2);
    }

    function test_Request_HashDiffersPerIdRequesterAndField() public view {
        InferenceCoordinator.RequestParams memory p = _params(MODEL, MAX_FEE, address(0), 0, deadline);
        bytes32 h = coordinator.requestHashOf(1, requester, p);
        vm.assertTrue(h != coordinator.requestHashOf(2, requester, p));
        vm.assertTrue(h != coordinator.requestHashOf(1, stranger, p));
        p.input = bytes("Why is the sky green?");
        vm.assertTrue(h != coordinator.requestHashOf(1, requester, p));
    }

    function test_Request_RefusesBadParameters() public {
        InferenceCoordinator.RequestParams memory p = _params(bytes32(0), MAX_FEE, address(0), 0, deadline);
        vm.startPrank(requester);
        vm.expectRevert(InferenceCoordinator.EmptyModel.selector);
        coordinator.request(p);

        p.model = MODEL;
        p.input = "";
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, 0, 8192));
        coordinator.request(p);
        p.input = new bytes(8193);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, 8193, 8192));
        coordinator.request(p);
        p.input = new bytes(129);
        p.inputKind = 1;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, 129, 128));
        coordinator.request(p);
        p.inputKind = 2;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidKind.selector, 2));
        coordinator.request(p);

        p.inputKind = 0;
        p.maxOutputTokens = 0;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidMaxOutputTokens.selector, 0, 4096));
        coordinator.request(p);
        p.maxOutputTokens = 4097;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidMaxOutputTokens.selector, 4097, 4096));
        coordinator.request(p);

        p.maxOutputTokens = 16;
        p.callbackGasLimit = 1;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidCallbackGasLimit.selector, 1, 2_000_000));
        coordinator.request(p);
        p.callback = stranger;
        p.callbackGasLimit = 2_000_001;
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.InvalidCallbackGasLimit.selector, 2_000_001, 2_000_000)
        );
        coordinator.request(p);

        p.callbackGasLimit = 100_000;
        uint64 latest = uint64(block.timestamp + 30 days);
        p.deadline = uint64(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDeadline.selector, p.deadline, latest));
        coordinator.request(p);
        p.deadline = latest + 1;
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDeadline.selector, p.deadline, latest));
        coordinator.request(p);
        vm.stopPrank();
        vm.assertEq(usd.balanceOf(address(coordinator)), 0);
    }

    function test_Request_RefusesFeeOnTransferTokens() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        InferenceCoordinator c = new InferenceCoordinator(registry, IERC20(address(fot)), WINDOW);
        fot.mint(requester, 100e6);
        vm.startPrank(requester);
        fot.approve(address(c), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.UnsupportedToken.selector, 9.9e6, 10e6));
        c.request(_params(MODEL, 10e6, address(0), 0, deadline));
        vm.stopPrank();
    }

    // ---------------------------------------------------------------------------------------------- fulfil

    function test_Fulfil_PaysTheChangeHoldsTheFeeAndCallsBack() public {
        ExampleInferenceConsumer consumer = new ExampleInferenceConsumer(coordinator);
        usd.mint(address(consumer), 100e6);
        uint256 id = consumer.ask(MODEL, "Why is the sky blue?", MAX_FEE, 16, deadline);
        bytes memory answer = bytes("Rayleigh scattering.");

        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, answer, 4e6);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.InferenceFulfilled(
            id, provider, answer, 0, keccak256(answer), 7, 3, 4e6, uint64(block.timestamp + WINDOW)
        );
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.CallbackCalled(id, address(consumer), true);
        vm.prank(provider);
        vm.assertTrue(coordinator.fulfil(id, f));

        vm.assertEq(consumer.answers(id), "Rayleigh scattering.");
        vm.assertTrue(consumer.answered(id));
        vm.assertEq(usd.balanceOf(address(consumer)), 100e6 - 4e6, "the change went back to the requester");
        vm.assertEq(usd.balanceOf(address(coordinator)), 4e6, "the fee is held");
        vm.assertEq(usd.balanceOf(provider), 0, "not paid before the window ends");
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        vm.assertEq(uint256(r.status), uint256(InferenceCoordinator.Status.Fulfilled));
        vm.assertEq(r.provider, provider);
        vm.assertTrue(r.callbackSucceeded);
    }

    function test_ExampleConsumer_IgnoresAnswersToRequestsItDidNotMake() public {
        ExampleInferenceConsumer consumer = new ExampleInferenceConsumer(coordinator);
        // A stranger's request names the consumer as its callback: the answer reaches it, and it refuses it.
        uint256 id = _request(address(consumer), 500_000);
        vm.assertFalse(_fulfil(id, "planted answer", 1e6));
        vm.assertFalse(consumer.answered(id));
        vm.assertEq(bytes(consumer.answers(id)).length, 0);
        // And nobody but the coordinator may deliver.
        vm.expectRevert(abi.encodeWithSelector(ExampleInferenceConsumer.NotCoordinator.selector, stranger));
        vm.prank(stranger);
        consumer.onInferenceResult(
            IInferenceConsumer.InferenceResult({
                requestId: id,
                provider: stranger,
                model: MODEL,
                output: "x",
                outputKind: 0,
                tokensIn: 0,
                tokensOut: 0,
                fee: 0
            })
        );
    }

    function test_Fulfil_WithoutCallbackJustRecords() public {
        uint256 id = _request(address(0), 0);
        vm.assertFalse(_fulfil(id, "answer", MAX_FEE));
        vm.assertEq(usd.balanceOf(address(coordinator)), MAX_FEE);
        vm.assertEq(usd.balanceOf(requester), 1_000e6 - MAX_FEE, "no change when the whole maximum is charged");
    }

    function test_Fulfil_TwiceIsRefused() public {
        uint256 id = _request(address(0), 0);
        _fulfil(id, "answer", 1e6);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, other, "another answer", 1e6);
        vm.prank(other);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Fulfilled)
        );
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_AtOrAfterTheDeadlineIsRefused() public {
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "late", 1e6);
        vm.warp(deadline);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.DeadlinePassed.selector, id, deadline));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_AfterRefundIsRefused() public {
        uint256 id = _request(address(0), 0);
        vm.warp(deadline);
        coordinator.refund(id);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "late", 1e6);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Refunded)
        );
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_OfAnUnknownRequestIsRefused() public {
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, 42, provider, "x", 0);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, 42, InferenceCoordinator.Status.None)
        );
        coordinator.fulfil(42, f);
    }

    function test_Fulfil_FeeAboveTheMaximumIsRefused() public {
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", MAX_FEE + 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.FeeAboveMax.selector, MAX_FEE + 1, MAX_FEE));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_MoreTokensThanAllowedIsRefused() public {
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", 1e6);
        f.tokensOut = 17;
        f.signature = _receipt(coordinator, signingKeyOf[provider], id, provider, "x", 7, 17, 1e6);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.TooManyOutputTokens.selector, 17, 16));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_ByAnUnregisteredOrUnstakedAccountIsRefused() public {
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", 1e6);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.NotActiveProvider.selector, stranger));
        coordinator.fulfil(id, f);

        // A provider whose stake fell below the minimum is no longer active.
        bytes32 role = staking.PROVIDER();
        vm.prank(provider);
        staking.requestUnbond(role, 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.NotActiveProvider.selector, provider));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_ByADeactivatedProviderIsRefused() public {
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", 1e6);
        vm.prank(provider);
        registry.deactivate();
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.NotActiveProvider.selector, provider));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_WithAReceiptSignedByAnotherKeyIsRefused() public {
        uint256 id = _request(address(0), 0);
        address key = registry.getProvider(provider).signingKey;
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", 1e6);
        // Signed by another provider's key.
        f.signature = _receipt(coordinator, signingKeyOf[other], id, provider, "x", 7, 3, 1e6);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, key));
        coordinator.fulfil(id, f);
        // Another provider presenting this provider's valid receipt as its own.
        f = _fulfilment(coordinator, id, provider, "x", 1e6);
        address otherKey = registry.getProvider(other).signingKey;
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, otherKey));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_WithAReceiptForOtherNumbersIsRefused() public {
        uint256 id = _request(address(0), 0);
        address key = registry.getProvider(provider).signingKey;
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "x", 1e6);
        f.fee = 2e6; // signed for 1e6
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, key));
        coordinator.fulfil(id, f);
        f.fee = 1e6;
        f.output = "y"; // signed for "x"
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, key));
        coordinator.fulfil(id, f);
        f.output = "x";
        f.signature = hex"00";
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, key));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_AReceiptForOneRequestIsWorthlessForAnother() public {
        uint256 first = _request(address(0), 0);
        uint256 second = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, first, provider, "x", 1e6);
        address key = registry.getProvider(provider).signingKey;
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidReceiptSignature.selector, key));
        coordinator.fulfil(second, f);
    }

    function test_Fulfil_RefusesBadOutputs() public {
        uint256 id = _request(address(0), 0);
        bytes memory big = new bytes(8193);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, big, 1e6);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, 8193, 8192));
        coordinator.fulfil(id, f);
        f = _fulfilment(coordinator, id, provider, "", 1e6);
        f.outputKind = 1;
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, 0, 128));
        coordinator.fulfil(id, f);
        f.outputKind = 7;
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidKind.selector, 7));
        coordinator.fulfil(id, f);
    }

    function test_Fulfil_AcceptsAnEmptyInlineAnswerAndAContentIdAnswer() public {
        uint256 id = _request(address(0), 0);
        _fulfil(id, "", 1e6);
        id = _request(address(0), 0);
        bytes memory cid = bytes("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, cid, 1e6);
        f.outputKind = 1;
        vm.prank(provider);
        coordinator.fulfil(id, f);
        vm.assertEq(uint256(coordinator.getRequest(id).status), uint256(InferenceCoordinator.Status.Fulfilled));
    }

    // ---------------------------------------------------------------------------------------------- hostile callbacks

    function test_Callback_ThatRevertsDoesNotUndoTheAnswerOrTheFee() public {
        RevertingConsumer consumer = new RevertingConsumer();
        uint256 id = _request(address(consumer), 100_000);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.CallbackCalled(id, address(consumer), false);
        vm.assertFalse(_fulfil(id, "answer", 3e6));
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        vm.assertEq(uint256(r.status), uint256(InferenceCoordinator.Status.Fulfilled));
        vm.assertFalse(r.callbackSucceeded);
        vm.warp(block.timestamp + WINDOW);
        coordinator.withdrawFee(id);
        vm.assertEq(usd.balanceOf(provider), 3e6);
    }

    function test_Callback_ThatBurnsItsGasIsStoppedAtItsLimit() public {
        GasBurningConsumer consumer = new GasBurningConsumer();
        uint256 id = _request(address(consumer), 200_000);
        vm.assertFalse(_fulfil(id, "answer", 3e6));
        vm.assertEq(uint256(coordinator.getRequest(id).status), uint256(InferenceCoordinator.Status.Fulfilled));
    }

    function test_Callback_ThatReturnsHugeDataCostsTheProviderNothingExtra() public {
        ReturnBombConsumer consumer = new ReturnBombConsumer();
        uint256 id = _request(address(consumer), 100_000);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "answer", 3e6);
        vm.prank(provider);
        uint256 before = gasleft();
        vm.assertFalse(coordinator.fulfil(id, f));
        // Copying a megabyte of return data would cost millions of gas in memory expansion.
        vm.assertLt(before - gasleft(), 400_000); // else the return data was copied
    }

    function test_Callback_GetsAtLeastItsGasLimit() public {
        GasMeteringConsumer consumer = new GasMeteringConsumer();
        uint256 id = _request(address(consumer), 300_000);
        _fulfil(id, "answer", 3e6);
        vm.assertGt(consumer.gasSeen(), 290_000);
        vm.assertLe(consumer.gasSeen(), 300_000);
    }

    function test_Callback_StarvedOfGasMakesTheWholeFulfilmentRevert() public {
        GasMeteringConsumer consumer = new GasMeteringConsumer();
        uint256 id = _request(address(consumer), 1_000_000);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "answer", 3e6);
        vm.prank(provider);
        // Too little gas for the callback's limit: the provider cannot make the callback fail and still be paid.
        vm.expectPartialRevert(InferenceCoordinator.InsufficientGasForCallback.selector);
        coordinator.fulfil{gas: 600_000}(id, f);
        vm.assertEq(uint256(coordinator.getRequest(id).status), uint256(InferenceCoordinator.Status.Open));
    }

    function test_Callback_ToAnAccountWithoutCodeSucceeds() public {
        uint256 id = _request(stranger, 50_000);
        vm.assertTrue(_fulfil(id, "answer", 3e6));
    }

    function test_Callback_CannotReenterToMoveMoney() public {
        ReenteringConsumer consumer = new ReenteringConsumer(coordinator);
        uint256 id = _request(address(consumer), 300_000);
        // While its answer is being delivered, try to withdraw the held fee, fulfil again, or refund.
        consumer.arm(abi.encodeCall(InferenceCoordinator.withdrawFee, (id)));
        _fulfil(id, "answer", 3e6);
        vm.assertTrue(consumer.called());
        vm.assertFalse(consumer.reentrySucceeded());

        uint256 second = _request(address(consumer), 300_000);
        consumer.arm(abi.encodeCall(InferenceCoordinator.refund, (second)));
        _fulfil(second, "answer", 3e6);
        vm.assertFalse(consumer.reentrySucceeded());
        vm.assertEq(usd.balanceOf(address(coordinator)), 6e6, "both fees still held");
    }

    function test_Callback_MayRequestAgain() public {
        ChainingConsumer consumer = new ChainingConsumer(coordinator);
        usd.mint(address(consumer), 100e6);
        uint256 id = consumer.ask(_params(MODEL, MAX_FEE, address(consumer), 500_000, deadline));
        vm.assertTrue(_fulfil(id, "follow-up prompt", 3e6));
        uint256 followUp = consumer.followUpId();
        vm.assertEq(followUp, id + 1);
        vm.assertEq(uint256(coordinator.getRequest(followUp).status), uint256(InferenceCoordinator.Status.Open));
        vm.assertEq(usd.balanceOf(address(coordinator)), 3e6 + 1e6);
    }

    function test_Token_ThatReentersIsStoppedByTheGuard() public {
        ReentrantToken evil = new ReentrantToken();
        InferenceCoordinator c = new InferenceCoordinator(registry, IERC20(address(evil)), WINDOW);
        evil.mint(requester, 100e6);
        vm.prank(requester);
        evil.approve(address(c), type(uint256).max);
        vm.prank(requester);
        uint256 id = c.request(_params(MODEL, MAX_FEE, address(0), 0, deadline));
        vm.warp(deadline);
        // The refund's transfer calls refund again: the guard stops it and the whole refund reverts.
        evil.arm(address(c), abi.encodeCall(InferenceCoordinator.refund, (id)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        c.refund(id);
        vm.assertEq(evil.balanceOf(address(c)), MAX_FEE);
    }

    // ---------------------------------------------------------------------------------------------- refund

    function test_Refund_AfterTheDeadlineReturnsEverythingToTheRequester() public {
        uint256 id = _request(address(0), 0);
        vm.warp(deadline);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.RequestRefunded(id, requester, MAX_FEE);
        vm.prank(stranger);
        coordinator.refund(id);
        vm.assertEq(usd.balanceOf(requester), 1_000e6);
        vm.assertEq(usd.balanceOf(address(coordinator)), 0);
        vm.assertEq(usd.balanceOf(stranger), 0);
    }

    function test_Refund_BeforeTheDeadlineIsRefused() public {
        uint256 id = _request(address(0), 0);
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.DeadlineNotReached.selector, id, deadline));
        coordinator.refund(id);
    }

    function test_Refund_AfterFulfilmentOrTwiceIsRefused() public {
        uint256 id = _request(address(0), 0);
        _fulfil(id, "answer", 3e6);
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Fulfilled)
        );
        coordinator.refund(id);

        deadline = uint64(block.timestamp + 10 minutes);
        uint256 second = _request(address(0), 0);
        vm.warp(deadline);
        coordinator.refund(second);
        vm.expectRevert(
            abi.encodeWithSelector(
                InferenceCoordinator.WrongStatus.selector, second, InferenceCoordinator.Status.Refunded
            )
        );
        coordinator.refund(second);
    }

    // ---------------------------------------------------------------------------------------------- fees, challenges

    function test_WithdrawFee_PaysTheProviderAfterTheWindowOnce() public {
        uint256 id = _request(address(0), 0);
        _fulfil(id, "answer", 3e6);
        uint64 ends = coordinator.getRequest(id).challengeEndsAt;
        vm.warp(ends - 1);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.ChallengeWindowOpen.selector, ends));
        coordinator.withdrawFee(id);
        vm.warp(ends);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.FeePaid(id, provider, 3e6);
        vm.prank(stranger); // anyone may trigger it; the provider is paid
        coordinator.withdrawFee(id);
        vm.assertEq(usd.balanceOf(provider), 3e6);
        vm.assertEq(usd.balanceOf(address(coordinator)), 0);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Paid)
        );
        coordinator.withdrawFee(id);
    }

    function test_WithdrawFee_OfAnOpenRequestIsRefused() public {
        uint256 id = _request(address(0), 0);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Open)
        );
        coordinator.withdrawFee(id);
    }

    function test_Challenge_LocksTheFee() public {
        uint256 id = _request(address(0), 0);
        _fulfil(id, "answer", 3e6);
        vm.expectEmit(address(coordinator));
        emit InferenceCoordinator.InferenceChallenged(id, requester, bytes32("wrong answer"));
        vm.prank(requester);
        coordinator.challenge(id, "wrong answer");
        vm.warp(block.timestamp + 365 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Challenged
            )
        );
        coordinator.withdrawFee(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Challenged
            )
        );
        coordinator.refund(id);
        vm.assertEq(usd.balanceOf(address(coordinator)), 3e6);
    }

    function test_Challenge_OnlyByTheRequesterWithinTheWindow() public {
        uint256 id = _request(address(0), 0);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceCoordinator.WrongStatus.selector, id, InferenceCoordinator.Status.Open)
        );
        coordinator.challenge(id, "");
        _fulfil(id, "answer", 3e6);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.NotRequester.selector, stranger, requester));
        coordinator.challenge(id, "");
        uint64 ends = coordinator.getRequest(id).challengeEndsAt;
        vm.warp(ends);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.ChallengeWindowOver.selector, ends));
        coordinator.challenge(id, "");
    }

    // ---------------------------------------------------------------------------------------------- fuzz

    /// @dev Whatever fee at most the maximum is charged, the requester gets exactly the rest back and the provider
    /// exactly the fee; above the maximum nothing moves.
    function testFuzz_Fulfil_SplitsTheEscrowExactly(uint96 maxFee, uint96 fee) public {
        maxFee = uint96(bound(maxFee, 0, 1_000e6));
        usd.mint(requester, maxFee);
        uint256 before = usd.balanceOf(requester);
        vm.prank(requester);
        uint256 id = coordinator.request(_params(MODEL, maxFee, address(0), 0, deadline));
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "a", fee);
        vm.prank(provider);
        if (fee > maxFee) {
            vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.FeeAboveMax.selector, fee, maxFee));
            coordinator.fulfil(id, f);
            vm.assertEq(usd.balanceOf(address(coordinator)), maxFee);
            return;
        }
        coordinator.fulfil(id, f);
        vm.assertEq(usd.balanceOf(requester), before - fee);
        vm.warp(block.timestamp + WINDOW);
        coordinator.withdrawFee(id);
        vm.assertEq(usd.balanceOf(provider), fee);
        vm.assertEq(usd.balanceOf(address(coordinator)), 0);
    }

    /// @dev Fulfilment is possible strictly before the deadline and refund from it on: never both, never neither.
    function testFuzz_FulfilAndRefundAreSplitByTheDeadline(uint256 at) public {
        uint256 id = _request(address(0), 0);
        at = bound(at, block.timestamp, deadline + 1 days);
        vm.warp(at);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "a", 1e6);
        vm.prank(provider);
        (bool fulfilled,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.fulfil, (id, f)));
        (bool refunded,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.refund, (id)));
        vm.assertEq(fulfilled, at < deadline);
        vm.assertEq(refunded, at >= deadline);
    }

    /// @dev A receipt signed by any key other than the provider's registered one is refused.
    function testFuzz_Fulfil_RefusesEveryOtherSigner(uint256 seed) public {
        uint256 key = boundKey(seed);
        vm.assume(key != signingKeyOf[provider]);
        uint256 id = _request(address(0), 0);
        InferenceCoordinator.Fulfilment memory f = _fulfilment(coordinator, id, provider, "a", 1e6);
        f.signature = _receipt(coordinator, key, id, provider, "a", 7, 3, 1e6);
        vm.prank(provider);
        vm.expectPartialRevert(InferenceCoordinator.InvalidReceiptSignature.selector);
        coordinator.fulfil(id, f);
    }

    /// @dev Any input the bounds allow is accepted and escrowed; anything longer is refused.
    function testFuzz_Request_BoundsTheInput(uint256 length, bool asCid) public {
        length = bound(length, 0, 9000);
        InferenceCoordinator.RequestParams memory p = _params(MODEL, 1e6, address(0), 0, deadline);
        p.input = new bytes(length);
        p.inputKind = asCid ? 1 : 0;
        uint256 max = asCid ? 128 : 8192;
        vm.prank(requester);
        if (length == 0 || length > max) {
            vm.expectRevert(abi.encodeWithSelector(InferenceCoordinator.InvalidDataLength.selector, length, max));
        }
        coordinator.request(p);
    }
}
