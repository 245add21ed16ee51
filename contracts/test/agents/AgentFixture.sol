// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EntryPoint} from "@account-abstraction/contracts/core/EntryPoint.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";

/// @notice A real ERC-4337 EntryPoint (v0.8, compiled from @account-abstraction/contracts), an AgentAccount owned
/// by `owner` with a session key for the runtime, the payment token and channels, and helpers that build, sign and
/// submit user operations the way a bundler does.
abstract contract AgentFixture is HyphaTest {
    uint128 internal constant LIMIT = 100e6; // per day
    uint128 internal constant MAX_CALL = 30e6;
    uint256 internal constant SESSION_CAP = 250e6;
    uint128 internal constant GAS_BUDGET = 0.05 ether;
    uint64 internal constant PERIOD = 1 days;
    uint64 internal constant RECOVERY_DELAY = 2 days;

    EntryPoint internal entryPoint;
    PaymentToken internal usd;
    PaymentChannels internal channels;
    AgentAccount internal account;
    address internal owner;
    uint256 internal ownerKey;
    address internal session;
    uint256 internal sessionKey;
    address internal guardian;
    address internal provider;
    address internal stranger;
    address payable internal bundler;

    function setUpAgent() internal {
        vm.warp(1_700_000_000);
        (owner, ownerKey) = makeAccount("owner");
        (session, sessionKey) = makeAccount("runtime session key");
        guardian = makeAddr("guardian");
        provider = makeAddr("provider");
        stranger = makeAddr("stranger");
        bundler = payable(makeAddr("bundler"));
        entryPoint = new EntryPoint();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        channels = new PaymentChannels(1 days);
        account = new AgentAccount(IEntryPoint(address(entryPoint)), owner, guardian, RECOVERY_DELAY);
        usd.mint(address(account), 1_000e6);
        vm.deal(address(account), 1 ether);

        vm.startPrank(owner);
        account.setTokenPolicy(address(usd), true, LIMIT, MAX_CALL, PERIOD);
        account.setTokenPolicy(address(0), true, 0.5 ether, 0.2 ether, PERIOD);
        account.setCounterparty(provider, true);
        account.setTrustedChannels(channels);
        account.grantSession(session, uint48(block.timestamp), uint48(block.timestamp + 30 days), GAS_BUDGET);
        account.setSessionCap(session, address(usd), SESSION_CAP);
        account.setSessionCap(session, address(0), 1 ether);
        account.setSessionCounterparty(session, provider, true);
        vm.stopPrank();
    }

    function _op(bytes memory callData, uint256 signerKey) internal view returns (PackedUserOperation memory op) {
        op = _unsignedOp(callData);
        op.signature = _signOp(op, signerKey);
    }

    function _unsignedOp(bytes memory callData) internal view returns (PackedUserOperation memory op) {
        op = PackedUserOperation({
            sender: address(account),
            nonce: entryPoint.getNonce(address(account), 0),
            initCode: "",
            callData: callData,
            accountGasLimits: bytes32((uint256(300_000) << 128) | 500_000),
            preVerificationGas: 50_000,
            gasFees: bytes32((uint256(1 gwei) << 128) | 1 gwei),
            paymasterAndData: "",
            signature: ""
        });
    }

    function _signOp(PackedUserOperation memory op, uint256 key) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, entryPoint.getUserOpHash(op));
        return abi.encodePacked(r, s, v);
    }

    function _submit(PackedUserOperation memory op) internal {
        PackedUserOperation[] memory ops = new PackedUserOperation[](1);
        ops[0] = op;
        entryPoint.handleOps(ops, bundler);
    }

    /// @dev Submits an operation the account must refuse at validation (the bundle reverts with AA24).
    function _expectRejected(PackedUserOperation memory op) internal {
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        _submit(op);
    }

    /// @dev Submits an operation that validates but whose call reverts with `reason` (the bundle goes through).
    function _expectCallReverts(PackedUserOperation memory op, bytes memory reason) internal {
        vm.expectEmit(address(entryPoint));
        emit IEntryPoint.UserOperationRevertReason(entryPoint.getUserOpHash(op), address(account), op.nonce, reason);
        _submit(op);
    }

    function _payAs(address key, address token, address to, uint256 amount) internal pure returns (bytes memory) {
        return abi.encodeCall(AgentAccount.pay, (key, token, to, amount));
    }

    function _channel(bytes32 salt) internal view returns (PaymentChannels.Channel memory) {
        return PaymentChannels.Channel({
            payer: address(account), provider: provider, token: IERC20(address(usd)), signer: address(account), salt: salt
        });
    }

    /// @dev A voucher signed by `key` in the AgentAccount's session envelope.
    function _sessionVoucher(uint256 key, PaymentChannels.Channel memory c, uint256 cumulative)
        internal
        view
        returns (bytes memory)
    {
        bytes32 digest = channels.voucherDigest(channels.channelIdOf(c), cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encode(account.VOUCHER_SIGNATURE_MAGIC(), c, cumulative, abi.encodePacked(r, s, v));
    }
}
