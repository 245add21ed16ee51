// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {InferenceCoordinator} from "../../../src/InferenceCoordinator.sol";
import {RevertingConsumer} from "../../utils/HostileConsumers.sol";

/// @notice Random lives of inference requests between a few requesters and providers: requests with and without
/// (hostile) callbacks, fulfilments with any fee (above the maximum too), fulfilments signed by the wrong key or sent
/// by a stranger, second fulfilments, refunds before and after deadlines, fee withdrawals, challenges and time travel.
/// Every action checks its outcome against the rules; ghost books record what every party must hold.
contract InferenceCoordinatorHandler is HyphaTest {
    uint256 public constant REQUESTERS = 3;
    uint256 public constant INITIAL_BALANCE = 1_000_000e6;
    bytes32 internal constant MODEL = keccak256("model");

    PaymentToken public immutable token;
    InferenceCoordinator public immutable coordinator;
    address public immutable stranger;
    uint256 internal immutable strangerKey;
    RevertingConsumer internal immutable badCallback;
    address[] public requesters;
    address[] public providers;
    uint256[] internal providerKeys;
    uint256[] internal ids;

    uint256 public ghostEscrowed;
    uint256 public ghostReturned;
    uint256 public ghostPaid;
    mapping(address => uint256) public ghostPaidTo;
    mapping(address => uint256) public ghostEscrowedBy;
    mapping(address => uint256) public ghostReturnedTo;

    constructor(
        PaymentToken token_,
        InferenceCoordinator coordinator_,
        address[] memory providers_,
        uint256[] memory providerKeys_
    ) {
        token = token_;
        coordinator = coordinator_;
        providers = providers_;
        providerKeys = providerKeys_;
        (stranger, strangerKey) = makeAccount("stranger");
        badCallback = new RevertingConsumer();
        for (uint256 i = 0; i < REQUESTERS; ++i) {
            requesters.push(makeAddr(string.concat("requester", vm.toString(i))));
        }
    }

    /// @dev Called once by the test after it minted INITIAL_BALANCE to every requester.
    function approveAll() external {
        for (uint256 i = 0; i < REQUESTERS; ++i) {
            vm.prank(requesters[i]);
            token.approve(address(coordinator), type(uint256).max);
        }
    }

    // ---------------------------------------------------------------------------------------------- actions

    function request(uint256 requesterSeed, uint96 maxFee, uint256 ttl, bool withCallback) external {
        address requester = requesters[requesterSeed % REQUESTERS];
        maxFee = uint96(bound(maxFee, 0, 10_000e6));
        InferenceCoordinator.RequestParams memory p = InferenceCoordinator.RequestParams({
            model: MODEL,
            input: bytes("prompt"),
            inputKind: 0,
            maxFee: maxFee,
            maxOutputTokens: 32,
            callback: withCallback ? address(badCallback) : address(0),
            callbackGasLimit: withCallback ? 50_000 : 0,
            deadline: uint64(block.timestamp + bound(ttl, 1, 2 days))
        });
        vm.prank(requester);
        ids.push(coordinator.request(p));
        ghostEscrowed += maxFee;
        ghostEscrowedBy[requester] += maxFee;
    }

    /// @dev A registered provider answers with a correctly signed receipt and any fee.
    function fulfil(uint256 idSeed, uint256 providerSeed, uint96 fee) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        uint256 p = providerSeed % providers.length;
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        fee = uint96(bound(fee, 0, uint256(r.maxFee) + 1e6)); // sometimes above the maximum
        bytes memory sig = _sign(providerKeys[p], id, providers[p], "answer", fee);
        bool mayFulfil = r.status == InferenceCoordinator.Status.Open && block.timestamp < r.deadline && fee <= r.maxFee;
        uint256 requesterBefore = token.balanceOf(r.requester);
        bool ok = _tryFulfil(providers[p], id, "answer", fee, sig);
        vm.assertEq(ok, mayFulfil, "fulfil outcome differs from the rules");
        if (ok) {
            uint256 change = r.maxFee - fee;
            vm.assertEq(token.balanceOf(r.requester), requesterBefore + change, "requester did not get the change");
            ghostReturned += change;
            ghostReturnedTo[r.requester] += change;
        }
    }

    /// @dev A receipt signed by a key that is not the sender's registered signing key, or a stranger's fulfilment.
    function forgedFulfil(uint256 idSeed, uint256 providerSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        uint256 p = providerSeed % providers.length;
        uint256 before = token.balanceOf(address(coordinator));
        bool ok;
        if (byStranger) {
            ok = _tryFulfil(stranger, id, "x", 0, _sign(strangerKey, id, stranger, "x", 0));
        } else {
            // Signed by another provider's key (or the stranger's when there is only one provider).
            uint256 wrongKey = providers.length > 1 ? providerKeys[(p + 1) % providers.length] : strangerKey;
            ok = _tryFulfil(providers[p], id, "x", 0, _sign(wrongKey, id, providers[p], "x", 0));
        }
        vm.assertFalse(ok, "a forged fulfilment was accepted");
        vm.assertEq(token.balanceOf(address(coordinator)), before, "a forged fulfilment moved money");
    }

    function refund(uint256 idSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        bool mayRefund = r.status == InferenceCoordinator.Status.Open && block.timestamp >= r.deadline;
        uint256 before = token.balanceOf(r.requester);
        vm.prank(byStranger ? stranger : r.requester);
        (bool ok,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.refund, (id)));
        vm.assertEq(ok, mayRefund, "refund outcome differs from the rules");
        if (ok) {
            vm.assertEq(token.balanceOf(r.requester), before + r.maxFee, "requester did not get its escrow back");
            ghostReturned += r.maxFee;
            ghostReturnedTo[r.requester] += r.maxFee;
        }
    }

    function withdrawFee(uint256 idSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        bool mayPay = r.status == InferenceCoordinator.Status.Fulfilled && block.timestamp >= r.challengeEndsAt;
        uint256 before = token.balanceOf(r.provider);
        vm.prank(byStranger ? stranger : r.provider);
        (bool ok,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.withdrawFee, (id)));
        vm.assertEq(ok, mayPay, "withdrawFee outcome differs from the rules");
        if (ok) {
            vm.assertEq(token.balanceOf(r.provider), before + r.fee, "provider was not paid its fee");
            ghostPaid += r.fee;
            ghostPaidTo[r.provider] += r.fee;
        }
    }

    function challenge(uint256 idSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        bool mayChallenge =
            !byStranger && r.status == InferenceCoordinator.Status.Fulfilled && block.timestamp < r.challengeEndsAt;
        uint256 before = token.balanceOf(address(coordinator));
        vm.prank(byStranger ? stranger : r.requester);
        (bool ok,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.challenge, (id, bytes32("why"))));
        vm.assertEq(ok, mayChallenge, "challenge outcome differs from the rules");
        vm.assertEq(token.balanceOf(address(coordinator)), before, "a challenge moved money");
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 1 days));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    function _tryFulfil(address sender, uint256 id, bytes memory output, uint96 fee, bytes memory sig)
        internal
        returns (bool ok)
    {
        InferenceCoordinator.Fulfilment memory f = InferenceCoordinator.Fulfilment({
            output: output, outputKind: 0, tokensIn: 5, tokensOut: 9, fee: fee, signature: sig
        });
        vm.prank(sender);
        (ok,) = address(coordinator).call(abi.encodeCall(InferenceCoordinator.fulfil, (id, f)));
    }

    function _sign(uint256 key, uint256 id, address provider, bytes memory output, uint96 fee)
        internal
        view
        returns (bytes memory)
    {
        bytes32 digest = _digest(id, provider, keccak256(output), fee);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(rr, s, v);
    }

    function _digest(uint256 id, address provider, bytes32 outputHash, uint96 fee) internal view returns (bytes32) {
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        return coordinator.receiptDigest(r.requestHash, provider, r.model, 5, 9, outputHash, fee);
    }

    // ---------------------------------------------------------------------------------------------- views

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function idAt(uint256 i) external view returns (uint256) {
        return ids[i];
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }
}
