// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {AgentFixture} from "./AgentFixture.sol";
import {Eip3009Signer} from "../utils/Eip3009Signer.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";

/// @notice AgentAccount through a real EntryPoint: the owner can do anything; a rogue runtime holding the session
/// key tries everything it can sign and never moves more than the policy allows.
contract AgentAccountTest is AgentFixture {
    function setUp() public {
        setUpAgent();
    }

    // ---------------------------------------------------------------------------------------------- happy paths

    function test_Session_PaysWithinPolicy_ThroughEntryPoint() public {
        _submit(_op(_payAs(session, address(usd), provider, 25e6), sessionKey));
        assertEqBal(provider, 25e6);
        vm.assertEq(account.sessionSpent(session, address(usd)), 25e6);
        vm.assertEq(account.remainingInPeriod(address(usd)), LIMIT - 25e6);
        vm.assertGt(account.session(session).gasSpent, 0);
    }

    function test_Session_PaysEth() public {
        _submit(_op(_payAs(session, address(0), provider, 0.1 ether), sessionKey));
        vm.assertEq(provider.balance, 0.1 ether);
    }

    function test_Session_MayCallDirectly_StrangerMayNot() public {
        vm.prank(session);
        account.pay(session, address(usd), provider, 10e6);
        assertEqBal(provider, 10e6);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotSession.selector, stranger, session));
        account.pay(session, address(usd), provider, 10e6);
        // Naming the session does not help a stranger, nor does naming itself.
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.SessionNotLive.selector, stranger));
        account.pay(stranger, address(usd), provider, 10e6);
    }

    function test_Owner_ExecutesAnything_ThroughEntryPoint() public {
        bytes memory transfer = abi.encodeCall(IERC20.transfer, (stranger, 500e6));
        _submit(_op(abi.encodeCall(BaseAccount.execute, (address(usd), 0, transfer)), ownerKey));
        assertEqBal(stranger, 500e6);
    }

    // ---------------------------------------------------------------------------------------------- rogue runtime

    function test_Rogue_DirectTransferViaExecute_Rejected() public {
        bytes memory transfer = abi.encodeCall(IERC20.transfer, (session, 1e6));
        _expectRejected(_op(abi.encodeCall(BaseAccount.execute, (address(usd), 0, transfer)), sessionKey));
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotOwner.selector, session));
        account.execute(address(usd), 0, transfer);
    }

    function test_Rogue_Approve_Rejected() public {
        bytes memory approve = abi.encodeCall(IERC20.approve, (session, type(uint256).max));
        _expectRejected(_op(abi.encodeCall(BaseAccount.execute, (address(usd), 0, approve)), sessionKey));
        vm.assertEq(usd.allowance(address(account), session), 0);
    }

    function test_Rogue_BatchCalls_Rejected() public {
        BaseAccount.Call[] memory calls = new BaseAccount.Call[](2);
        calls[0] = BaseAccount.Call(address(usd), 0, abi.encodeCall(IERC20.transfer, (session, 1e6)));
        calls[1] = BaseAccount.Call(address(account), 0, _payAs(session, address(usd), provider, 1e6));
        _expectRejected(_op(abi.encodeCall(BaseAccount.executeBatch, (calls)), sessionKey));
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotOwner.selector, session));
        account.executeBatch(calls);
    }

    function test_Rogue_CallsToOtherContracts_Rejected() public {
        // Any call data that is not one of the four spending functions fails validation, e.g. a raw ETH send or a
        // call with the pay selector but too short to name the key.
        _expectRejected(_op("", sessionKey));
        _expectRejected(_op(abi.encodePacked(AgentAccount.pay.selector), sessionKey));
        _expectRejected(_op(abi.encodeCall(BaseAccount.execute, (stranger, 0.5 ether, "")), sessionKey));
    }

    function test_Rogue_ChangingThePolicy_Rejected() public {
        bytes[] memory attempts = new bytes[](10);
        attempts[0] = abi.encodeCall(AgentAccount.setTokenPolicy, (address(usd), true, type(uint128).max, type(uint128).max, 1));
        attempts[1] = abi.encodeCall(AgentAccount.setCounterparty, (session, true));
        attempts[2] = abi.encodeCall(AgentAccount.grantSession, (session, 0, type(uint48).max, type(uint128).max));
        attempts[3] = abi.encodeCall(AgentAccount.setSessionCap, (session, address(usd), type(uint256).max));
        attempts[4] = abi.encodeCall(AgentAccount.setSessionCounterparty, (session, session, true));
        attempts[5] = abi.encodeCall(AgentAccount.transferOwnership, (session));
        attempts[6] = abi.encodeCall(AgentAccount.setGuardian, (session));
        attempts[7] = abi.encodeCall(AgentAccount.setPolicyExpiry, (0));
        attempts[8] = abi.encodeCall(AgentAccount.unfreeze, ());
        attempts[9] = abi.encodeCall(AgentAccount.setTrustedChannels, (PaymentChannels(session)));
        for (uint256 i; i < attempts.length; ++i) {
            _expectRejected(_op(attempts[i], sessionKey));
            // and the same calls sent directly by the session key
            vm.prank(session);
            (bool ok,) = address(account).call(attempts[i]);
            vm.assertFalse(ok);
        }
        (AgentAccount.TokenPolicy memory p,) = account.tokenPolicy(address(usd));
        vm.assertEq(p.periodLimit, LIMIT);
        vm.assertEq(account.owner(), owner);
    }

    function test_Rogue_UpgradeAndDelegatecall_Impossible() public {
        // There is no upgrade function and no delegatecall path: UUPS's upgradeToAndCall is not even a selector.
        bytes memory upgrade = abi.encodeWithSignature("upgradeToAndCall(address,bytes)", stranger, "");
        _expectRejected(_op(upgrade, sessionKey));
        vm.prank(owner);
        (bool ok,) = address(account).call(upgrade);
        vm.assertFalse(ok);
        // An owner-approved execute on a contract runs as a plain call: the callee cannot write the account's storage.
        _submit(_op(abi.encodeCall(BaseAccount.execute, (address(usd), 0, abi.encodeCall(IERC20.totalSupply, ()))), ownerKey));
        vm.assertEq(account.owner(), owner);
    }

    function test_Rogue_NamingAnotherKey_Rejected() public {
        (address other,) = makeAccount("other session");
        vm.startPrank(owner);
        account.grantSession(other, uint48(block.timestamp), uint48(block.timestamp + 1 days), GAS_BUDGET);
        account.setSessionCap(other, address(usd), 1_000e6);
        account.setSessionCounterparty(other, provider, true);
        vm.stopPrank();
        _expectRejected(_op(_payAs(other, address(usd), provider, 1e6), sessionKey));
        _expectRejected(_op(_payAs(address(0), address(usd), provider, 1e6), sessionKey));
    }

    function test_Rogue_AboveMaxPerCall_Reverts() public {
        PackedUserOperation memory op = _op(_payAs(session, address(usd), provider, MAX_CALL + 1), sessionKey);
        _expectCallReverts(op, abi.encodeWithSelector(AgentAccount.AboveMaxPerCall.selector, MAX_CALL + 1, MAX_CALL));
        assertEqBal(provider, 0);
    }

    function test_Rogue_PeriodLimit_HoldsAndResetsNextPeriod() public {
        for (uint256 i; i < 3; ++i) {
            _submit(_op(_payAs(session, address(usd), provider, 30e6), sessionKey));
        }
        PackedUserOperation memory op = _op(_payAs(session, address(usd), provider, 11e6), sessionKey);
        _expectCallReverts(op, abi.encodeWithSelector(AgentAccount.PeriodLimitExceeded.selector, 101e6, LIMIT));
        _submit(_op(_payAs(session, address(usd), provider, 10e6), sessionKey));
        assertEqBal(provider, 100e6);
        vm.warp(block.timestamp + PERIOD);
        _submit(_op(_payAs(session, address(usd), provider, 30e6), sessionKey));
        assertEqBal(provider, 130e6);
    }

    function test_Rogue_SessionCap_Holds() public {
        vm.prank(owner);
        account.setSessionCap(session, address(usd), 40e6);
        vm.startPrank(session);
        account.pay(session, address(usd), provider, 30e6);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.SessionCapExceeded.selector, 60e6, 40e6));
        account.pay(session, address(usd), provider, 30e6);
        vm.stopPrank();
    }

    function test_Rogue_PayingItselfOrStrangers_Reverts() public {
        vm.startPrank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.CounterpartyNotAllowed.selector, session));
        account.pay(session, address(usd), session, 1e6);
        vm.expectRevert(AgentAccount.InvalidArgument.selector);
        account.pay(session, address(usd), address(account), 1e6);
        vm.stopPrank();
        // Allowed for the account but not for this session: still refused.
        vm.prank(owner);
        account.setCounterparty(stranger, true);
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.CounterpartyNotAllowed.selector, stranger));
        account.pay(session, address(usd), stranger, 1e6);
    }

    function test_Rogue_UnlistedToken_Reverts() public {
        PaymentToken other = new PaymentToken("Other", "OTH", 6, address(this));
        other.mint(address(account), 100e6);
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.TokenNotAllowed.selector, address(other)));
        account.pay(session, address(other), provider, 1e6);
    }

    function test_Rogue_GasDrain_RejectedByGasBudget() public {
        PackedUserOperation memory op = _unsignedOp(_payAs(session, address(usd), provider, 1e6));
        // 0.8M gas at 100 gwei = 0.08 ETH > the 0.05 ETH budget.
        op.gasFees = bytes32((uint256(100 gwei) << 128) | 100 gwei);
        op.signature = _signOp(op, sessionKey);
        _expectRejected(op);
        // Cheap operations are charged at their maximum until the budget is used up.
        uint256 perOp = (300_000 + 500_000 + 50_000) * 1 gwei;
        uint256 fits = GAS_BUDGET / perOp;
        for (uint256 i; i < fits; ++i) {
            _submit(_op(_payAs(session, address(usd), provider, 1e6), sessionKey));
            if (i % 3 == 2) vm.warp(block.timestamp + PERIOD);
        }
        _expectRejected(_op(_payAs(session, address(usd), provider, 1e6), sessionKey));
        vm.assertLe(account.session(session).gasSpent, GAS_BUDGET);
    }

    function test_Rogue_InitCodeOrPaymaster_Rejected() public {
        PackedUserOperation memory op = _unsignedOp(_payAs(session, address(usd), provider, 1e6));
        op.paymasterAndData = abi.encodePacked(stranger, uint128(100_000), uint128(100_000));
        op.signature = _signOp(op, sessionKey);
        vm.expectRevert();
        _submit(op);
        assertEqBal(provider, 0);
    }

    function test_Rogue_ExpiredKeyAndPolicy_Stop() public {
        vm.warp(block.timestamp + 31 days);
        PackedUserOperation memory op = _op(_payAs(session, address(usd), provider, 1e6), sessionKey);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA22 expired or not due"));
        _submit(op);
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.SessionNotLive.selector, session));
        account.pay(session, address(usd), provider, 1e6);

        vm.prank(owner);
        account.grantSession(session, uint48(block.timestamp), uint48(block.timestamp + 30 days), GAS_BUDGET);
        vm.prank(owner);
        account.setPolicyExpiry(uint64(block.timestamp + 1 hours));
        vm.warp(block.timestamp + 2 hours);
        op = _op(_payAs(session, address(usd), provider, 1e6), sessionKey);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA22 expired or not due"));
        _submit(op);
    }

    function test_GrantSession_RefusesOpenEndedOrOwnerKeys() public {
        vm.startPrank(owner);
        // validUntil 0 would read as "no expiry" to the EntryPoint.
        vm.expectRevert(AgentAccount.InvalidArgument.selector);
        account.grantSession(stranger, 0, 0, GAS_BUDGET);
        vm.expectRevert(AgentAccount.InvalidArgument.selector);
        account.grantSession(owner, 0, uint48(block.timestamp + 1), GAS_BUDGET);
        vm.expectRevert(AgentAccount.InvalidArgument.selector);
        account.grantSession(stranger, uint48(block.timestamp + 2), uint48(block.timestamp + 1), GAS_BUDGET);
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotOwner.selector, stranger));
        account.grantSession(stranger, 0, uint48(block.timestamp + 1), GAS_BUDGET);
    }

    function test_RegrantedKey_KeepsWhatItSpent() public {
        vm.prank(session);
        account.pay(session, address(usd), provider, 30e6);
        vm.prank(owner);
        account.grantSession(session, uint48(block.timestamp), uint48(block.timestamp + 1 days), GAS_BUDGET);
        vm.assertEq(account.sessionSpent(session, address(usd)), 30e6);
    }

    function test_Rogue_RevokedKey_Rejected() public {
        vm.prank(owner);
        account.revokeSession(session);
        _expectRejected(_op(_payAs(session, address(usd), provider, 1e6), sessionKey));
    }

    function test_Freeze_StopsOperationsDirectCallsAndSignatures() public {
        (PaymentChannels.Channel memory c,) = _openChannelAsSession(30e6);
        IERC20 token = IERC20(address(usd));
        bytes32 nonce = bytes32(uint256(7));
        vm.prank(session);
        bytes32 booked = account.authorizeTransfer(session, address(token), provider, 1e6, 0, block.timestamp + 1 hours, nonce);
        vm.assertEq(account.isValidSignature(booked, hex"00"), IERC1271.isValidSignature.selector);

        vm.prank(guardian);
        account.freeze();
        _expectRejected(_op(_payAs(session, address(usd), provider, 1e6), sessionKey));
        vm.prank(session);
        vm.expectRevert(AgentAccount.AccountFrozen.selector);
        account.pay(session, address(usd), provider, 1e6);
        vm.prank(session);
        vm.expectRevert(AgentAccount.AccountFrozen.selector);
        account.topUpChannel(session, c, 1e6);
        vm.prank(session);
        vm.expectRevert(AgentAccount.AccountFrozen.selector);
        account.openChannel(session, _channel("other"), 1e6);
        // A booked transfer nobody submitted yet is void while frozen (a voucher is not: see the channel tests).
        vm.assertEq(account.isValidSignature(booked, hex"00"), bytes4(0xffffffff));

        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotOwner.selector, guardian));
        account.unfreeze();
        vm.prank(owner);
        account.unfreeze();
        vm.assertEq(account.isValidSignature(booked, hex"00"), IERC1271.isValidSignature.selector);
    }

    // ---------------------------------------------------------------------------------------------- channels

    function _openChannelAsSession(uint256 amount) internal returns (PaymentChannels.Channel memory c, bytes32 id) {
        c = _channel(bytes32("s"));
        _submit(_op(abi.encodeCall(AgentAccount.openChannel, (session, c, amount)), sessionKey));
        id = channels.channelIdOf(c);
    }

    function test_Channel_OpenedWithinPolicy_VouchersUpToDeposit() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _openChannelAsSession(30e6);
        (uint256 deposit,,,) = channels.channelState(id);
        vm.assertEq(deposit, 30e6);
        vm.assertEq(account.channelFunding(id), 30e6);
        vm.assertEq(usd.allowance(address(account), address(channels)), 0);

        vm.prank(provider);
        channels.redeem(c, 20e6, _sessionVoucher(sessionKey, c, 20e6));
        assertEqBal(provider, 20e6);
        // A voucher beyond what the account deposited is refused by the account (whatever the key signs).
        bytes memory tooMuch = _sessionVoucher(sessionKey, c, 30e6 + 1);
        vm.prank(provider);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 30e6 + 1, tooMuch);
        // A stranger's key in the envelope is refused too.
        (, uint256 strangerKey) = makeAccount("stranger key");
        bytes memory forged = _sessionVoucher(strangerKey, c, 25e6);
        vm.prank(provider);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 25e6, forged);
    }

    /// @dev The owner buys a deposit's worth of work, then turns against the provider every way it can: the
    /// vouchers signed while the key was valid still redeem, up to the deposit and no further.
    function test_Channel_VouchersSignedWhileValid_SurviveFreezeExpiryRevocationRecoveryAndDelisting() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _openChannelAsSession(30e6);
        bytes memory part = _sessionVoucher(sessionKey, c, 12e6);
        bytes memory all = _sessionVoucher(sessionKey, c, 30e6);
        bytes memory beyond = _sessionVoucher(sessionKey, c, 30e6 + 1);

        vm.startPrank(owner);
        account.freeze();
        account.setPolicyExpiry(uint64(block.timestamp + 1));
        account.revokeSession(session);
        account.setCounterparty(provider, false);
        account.setSessionCounterparty(session, provider, false);
        account.setTrustedChannels(PaymentChannels(address(0)));
        vm.stopPrank();
        vm.warp(block.timestamp + 31 days); // past the key's validUntil too
        vm.prank(guardian);
        account.proposeRecovery(makeAddr("new owner"));
        vm.warp(block.timestamp + RECOVERY_DELAY);
        account.completeRecovery(); // a new epoch: the key is from an older one

        bytes32 digest = channels.voucherDigest(id, 12e6);
        vm.assertEq(account.isValidSignature(digest, part), IERC1271.isValidSignature.selector);
        vm.prank(provider);
        channels.redeem(c, 12e6, part);
        vm.prank(provider);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 30e6 + 1, beyond);
        vm.prank(provider);
        channels.redeem(c, 30e6, all);
        assertEqBal(provider, 30e6);
    }

    function test_Channel_OnlyTheFundingKeyTopsUpAndSigns() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _openChannelAsSession(30e6);
        (address other, uint256 otherKey) = makeAccount("second runtime key");
        vm.startPrank(owner);
        account.grantSession(other, uint48(block.timestamp), uint48(block.timestamp + 30 days), GAS_BUDGET);
        account.setSessionCap(other, address(usd), SESSION_CAP);
        account.setSessionCounterparty(other, provider, true);
        vm.stopPrank();
        vm.assertEq(account.channelKey(id), session);
        vm.assertEq(address(account.channelContract(id)), address(channels));

        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.ChannelKeyMismatch.selector, id, other));
        account.topUpChannel(other, c, 1e6);
        bytes memory forged = _sessionVoucher(otherKey, c, 5e6);
        vm.prank(provider);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 5e6, forged);
    }

    function test_Channel_TopUpCountsAgainstTheLimit() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _openChannelAsSession(30e6);
        _submit(_op(abi.encodeCall(AgentAccount.topUpChannel, (session, c, 30e6)), sessionKey));
        vm.assertEq(account.channelFunding(id), 60e6);
        vm.assertEq(account.remainingInPeriod(address(usd)), LIMIT - 60e6);
    }

    function test_Channel_RogueShapes_Refused() public {
        PaymentChannels.Channel memory c = _channel(0);
        c.signer = session; // vouchers signed straight by the key would bypass the account
        vm.prank(session);
        vm.expectRevert(AgentAccount.ChannelNotAllowed.selector);
        account.openChannel(session, c, 10e6);
        c = _channel(0);
        c.provider = stranger;
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.CounterpartyNotAllowed.selector, stranger));
        account.openChannel(session, c, 10e6);
        c = _channel(0);
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.AboveMaxPerCall.selector, 31e6, MAX_CALL));
        account.openChannel(session, c, 31e6);
    }

    function test_Channel_VoucherForChannelNotFundedByPolicy_Invalid() public {
        // The owner opens a channel itself (execute): session vouchers for it are worthless.
        PaymentChannels.Channel memory c = _channel("owner");
        BaseAccount.Call[] memory calls = new BaseAccount.Call[](2);
        calls[0] = BaseAccount.Call(address(usd), 0, abi.encodeCall(IERC20.approve, (address(channels), 100e6)));
        calls[1] = BaseAccount.Call(address(channels), 0, abi.encodeCall(PaymentChannels.open, (c, 100e6)));
        vm.prank(owner);
        account.executeBatch(calls);
        bytes memory voucher = _sessionVoucher(sessionKey, c, 1e6);
        vm.prank(provider);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 1e6, voucher);
        // The owner's own signature is valid for it.
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, channels.voucherDigest(channels.channelIdOf(c), 5e6));
        vm.prank(provider);
        channels.redeem(c, 5e6, abi.encodePacked(r, s, v));
        assertEqBal(provider, 5e6);
    }

    // ---------------------------------------------------------------------------------------------- EIP-3009

    function test_Eip3009_BookedAuthorizationIsValid_OthersAreNot() public {
        uint256 validBefore = block.timestamp + 10 minutes;
        vm.prank(session);
        bytes32 digest = account.authorizeTransfer(session, address(usd), provider, 20e6, 0, validBefore, bytes32("n1"));
        Eip3009Signer.Authorization memory a =
            Eip3009Signer.Authorization(address(account), provider, 20e6, 0, validBefore, bytes32("n1"));
        vm.assertEq(digest, Eip3009Signer.transferDigest(usd, a));
        // Anyone (an x402 facilitator) submits it; the account's 1271 answer is the signature.
        vm.prank(stranger);
        usd.transferWithAuthorization(address(account), provider, 20e6, 0, validBefore, bytes32("n1"), hex"00");
        assertEqBal(provider, 20e6);
        // A different value under the same nonce, or one never booked, is refused.
        vm.expectRevert();
        usd.transferWithAuthorization(address(account), provider, 25e6, 0, validBefore, bytes32("n2"), hex"00");
        // Booking is charged against the policy.
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.AboveMaxPerCall.selector, 31e6, MAX_CALL));
        account.authorizeTransfer(session, address(usd), provider, 31e6, 0, validBefore, bytes32("n3"));
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.AuthorizationWindowInvalid.selector, 0, block.timestamp + 2 days));
        account.authorizeTransfer(session, address(usd), provider, 1e6, 0, block.timestamp + 2 days, bytes32("n4"));
    }

    function test_Eip3009_SessionSignatureAloneIsWorthless() public {
        Eip3009Signer.Authorization memory a =
            Eip3009Signer.Authorization(address(account), session, 20e6, 0, block.timestamp + 1 hours, bytes32("x"));
        bytes memory sig = Eip3009Signer.signPacked(sessionKey, Eip3009Signer.transferDigest(usd, a));
        vm.expectRevert();
        usd.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
        vm.assertEq(account.isValidSignature(Eip3009Signer.transferDigest(usd, a), sig), bytes4(0xffffffff));
    }

    // ---------------------------------------------------------------------------------------------- recovery

    function test_Recovery_OwnerCanCancel_ThenCompletesAfterDelay() public {
        address newOwner = makeAddr("new owner");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.NotGuardian.selector, stranger));
        account.proposeRecovery(stranger);

        vm.prank(guardian);
        account.proposeRecovery(newOwner);
        vm.prank(owner);
        account.cancelRecovery();
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.RecoveryNotReady.selector, 0));
        account.completeRecovery();

        vm.prank(guardian);
        account.proposeRecovery(newOwner);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.RecoveryNotReady.selector, uint64(block.timestamp + RECOVERY_DELAY)));
        account.completeRecovery();
        vm.warp(block.timestamp + RECOVERY_DELAY);
        account.completeRecovery();
        vm.assertEq(account.owner(), newOwner);
        vm.assertTrue(account.frozen());
        // Every key granted before the recovery is dead, even after unfreezing.
        vm.prank(newOwner);
        account.unfreeze();
        vm.prank(session);
        vm.expectRevert(abi.encodeWithSelector(AgentAccount.SessionNotLive.selector, session));
        account.pay(session, address(usd), provider, 1e6);
        _expectRejected(_op(_payAs(session, address(usd), provider, 1e6), sessionKey));
    }

    // ---------------------------------------------------------------------------------------------- fuzz

    /// @dev Whatever sequence of amounts and waits the runtime tries, each period's spend stays within the limit,
    /// no call exceeds the maximum, and the session never passes its cap.
    function testFuzz_SessionNeverExceedsPolicy(uint256[12] memory amounts, uint256[12] memory waits) public {
        uint256 windowStart = block.timestamp;
        uint256 inWindow;
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) {
            vm.warp(block.timestamp + bound(waits[i], 0, 2 days));
            if (block.timestamp >= windowStart + PERIOD) {
                windowStart += ((block.timestamp - windowStart) / PERIOD) * PERIOD;
                inWindow = 0;
            }
            uint256 amount = bound(amounts[i], 1, 50e6);
            uint256 before = usd.balanceOf(provider);
            vm.prank(session);
            try account.pay(session, address(usd), provider, amount) {
                inWindow += amount;
                total += amount;
            } catch {}
            uint256 paid = usd.balanceOf(provider) - before;
            vm.assertLe(paid, MAX_CALL);
            vm.assertLe(inWindow, LIMIT);
            vm.assertLe(total, SESSION_CAP);
            vm.assertEq(usd.balanceOf(provider), total);
        }
    }

    function assertEqBal(address who, uint256 amount) internal view {
        vm.assertEq(usd.balanceOf(who), amount);
    }
}
