// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EntryPoint} from "@account-abstraction/contracts/core/EntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {PaymentChannels} from "../../../src/PaymentChannels.sol";
import {AgentAccount} from "../../../src/agents/AgentAccount.sol";

/// @notice A rogue runtime holding the session key: it pays anyone any amount, opens and tops up channels to
/// anyone, books EIP-3009 transfers and has them submitted, signs vouchers for any amount which the provider tries
/// to redeem, and sends user operations that try to move money outside the spending functions. The handler counts
/// what the account committed per policy window, independently of the contract's own books.
contract AgentAccountHandler is HyphaTest {
    uint256 public constant WINDOWS = 64;

    EntryPoint public immutable entryPoint;
    PaymentToken public immutable usd;
    PaymentChannels public immutable channels;
    AgentAccount public immutable account;
    uint256 public immutable sessionKey;
    address public immutable session;
    address public immutable provider;
    address public immutable stranger;
    uint64 public immutable period;
    uint256 public immutable start;

    uint256 public ghostCommitted;
    uint256 public ghostRedeemed;
    uint256 public worstWindowSpend;
    mapping(uint256 window => uint256) public committedInWindow;
    PaymentChannels.Channel[] internal _channels;
    uint256 internal _nonce;

    constructor(
        EntryPoint entryPoint_,
        PaymentToken usd_,
        PaymentChannels channels_,
        AgentAccount account_,
        uint256 sessionKey_,
        address provider_,
        uint64 period_
    ) {
        entryPoint = entryPoint_;
        usd = usd_;
        channels = channels_;
        account = account_;
        sessionKey = sessionKey_;
        session = vm.addr(sessionKey_);
        provider = provider_;
        stranger = makeAddr("stranger");
        period = period_;
        start = block.timestamp;
    }

    function _to(uint256 seed) internal view returns (address) {
        uint256 pick = seed % 4;
        if (pick == 0) return stranger;
        if (pick == 1) return session;
        return provider;
    }

    function _commit(uint256 amount) internal {
        ghostCommitted += amount;
        uint256 w = (block.timestamp - start) / period;
        committedInWindow[w] += amount;
        if (committedInWindow[w] > worstWindowSpend) worstWindowSpend = committedInWindow[w];
    }

    function pay(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 0, 60e6);
        vm.prank(session);
        try account.pay(session, address(usd), _to(toSeed), amount) {
            _commit(amount);
        } catch {}
    }

    function payThroughEntryPoint(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 1, 60e6);
        uint256 before = usd.balanceOf(address(account));
        _submit(abi.encodeCall(AgentAccount.pay, (session, address(usd), _to(toSeed), amount)));
        uint256 spent = before - usd.balanceOf(address(account));
        if (spent != 0) _commit(spent);
    }

    function rogueExecute(uint256 toSeed, uint256 amount, bool batch) external {
        bytes memory transfer = abi.encodeCall(IERC20.transfer, (_to(toSeed), bound(amount, 1, 1_000e6)));
        if (batch) {
            BaseAccount.Call[] memory calls = new BaseAccount.Call[](1);
            calls[0] = BaseAccount.Call(address(usd), 0, transfer);
            _submit(abi.encodeCall(BaseAccount.executeBatch, (calls)));
        } else {
            _submit(abi.encodeCall(BaseAccount.execute, (address(usd), 0, transfer)));
        }
    }

    function openChannel(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 1, 60e6);
        PaymentChannels.Channel memory c = PaymentChannels.Channel({
            payer: address(account),
            provider: _to(toSeed),
            token: IERC20(address(usd)),
            signer: address(account),
            salt: bytes32(_channels.length)
        });
        vm.prank(session);
        try account.openChannel(session, c, amount) {
            _commit(amount);
            _channels.push(c);
        } catch {}
    }

    function topUp(uint256 which, uint256 amount) external {
        if (_channels.length == 0) return;
        amount = bound(amount, 1, 60e6);
        vm.prank(session);
        try account.topUpChannel(session, _channels[which % _channels.length], amount) {
            _commit(amount);
        } catch {}
    }

    function redeemAnyVoucher(uint256 which, uint256 cumulative) external {
        if (_channels.length == 0) return;
        PaymentChannels.Channel memory c = _channels[which % _channels.length];
        cumulative = bound(cumulative, 1, 200e6);
        bytes32 digest = channels.voucherDigest(channels.channelIdOf(c), cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, digest);
        bytes memory sig = abi.encode(account.VOUCHER_SIGNATURE_MAGIC(), c, cumulative, abi.encodePacked(r, s, v));
        uint256 before = usd.balanceOf(c.provider);
        try channels.redeem(c, cumulative, sig) {
            ghostRedeemed += usd.balanceOf(c.provider) - before;
        } catch {}
        // The bare session signature (no envelope) never counts.
        try channels.redeem(c, cumulative, abi.encodePacked(r, s, v)) {
            ghostRedeemed += type(uint128).max; // breaks the invariant on purpose
        } catch {}
    }

    function bookAndSubmitTransfer(uint256 toSeed, uint256 amount, bool submit) external {
        amount = bound(amount, 1, 60e6);
        address to = _to(toSeed);
        bytes32 nonce = bytes32(++_nonce);
        uint256 validBefore = block.timestamp + 1 hours;
        vm.prank(session);
        try account.authorizeTransfer(session, address(usd), to, amount, 0, validBefore, nonce) {
            _commit(amount);
        } catch {}
        // A facilitator submits it (and tries a larger value under another nonce).
        if (submit) {
            try usd.transferWithAuthorization(address(account), to, amount, 0, validBefore, nonce, hex"00") {} catch {}
        }
        try usd.transferWithAuthorization(address(account), to, amount + 1, 0, validBefore, bytes32(++_nonce), hex"00") {
            ghostCommitted += type(uint128).max; // breaks the invariant on purpose
        } catch {}
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 2 days));
    }

    function channelCount() external view returns (uint256) {
        return _channels.length;
    }

    function channelAt(uint256 i) external view returns (PaymentChannels.Channel memory) {
        return _channels[i];
    }

    function _submit(bytes memory callData) internal {
        PackedUserOperation memory op = PackedUserOperation({
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
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, entryPoint.getUserOpHash(op));
        op.signature = abi.encodePacked(r, s, v);
        PackedUserOperation[] memory ops = new PackedUserOperation[](1);
        ops[0] = op;
        try entryPoint.handleOps(ops, payable(stranger)) {} catch {}
    }
}
