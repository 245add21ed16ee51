// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {ServiceEscrow} from "../../../src/agents/ServiceEscrow.sol";

/// @notice Drives ServiceEscrow with several clients, providers and one validator; every step is also tried by a
/// random actor, and a step that succeeds for the wrong party is counted (the invariant wants zero).
contract ServiceEscrowHandler is HyphaTest {
    uint256 public constant PARTIES = 3;
    uint256 public constant INITIAL_BALANCE = 1_000_000e6;
    uint64 public constant REVIEW = 2 days;

    PaymentToken public immutable token;
    ServiceEscrow public immutable escrow;
    address[PARTIES] public clients;
    address[PARTIES] public providers;
    address public validator;
    address public stranger;

    uint256 public ghostDeposited;
    uint256 public ghostPaidOnAccept;
    uint256 public ghostPaidOnRuling;
    uint256 public ghostRefunded;
    uint256 public wrongPartySucceeded;
    uint256 public settledTwice;
    mapping(uint256 id => mapping(uint256 index => bool)) internal _settled;

    constructor(PaymentToken token_, ServiceEscrow escrow_) {
        token = token_;
        escrow = escrow_;
        for (uint256 i; i < PARTIES; ++i) {
            clients[i] = makeAddr(string.concat("client", vm.toString(i)));
            providers[i] = makeAddr(string.concat("provider", vm.toString(i)));
        }
        validator = makeAddr("validator");
        stranger = makeAddr("stranger");
    }

    function fund() external {
        for (uint256 i; i < PARTIES; ++i) {
            token.mint(clients[i], INITIAL_BALANCE);
            vm.prank(clients[i]);
            token.approve(address(escrow), type(uint256).max);
        }
    }

    function _actor(uint256 seed, uint256 id) internal view returns (address) {
        ServiceEscrow.Agreement memory a = escrow.agreement(id);
        uint256 pick = seed % 4;
        if (pick == 0) return a.client;
        if (pick == 1) return a.provider;
        if (pick == 2) return validator;
        return stranger;
    }

    function _pick(uint256 seed) internal view returns (uint256 id, uint256 index, bool ok) {
        uint256 n = escrow.agreementCount();
        if (n == 0) return (0, 0, false);
        id = seed % n + 1;
        index = (seed >> 32) % escrow.agreement(id).milestoneCount;
        ok = true;
    }

    function create(uint256 partySeed, uint256 countSeed, uint256 amountSeed, bool withValidator) external {
        address client = clients[partySeed % PARTIES];
        address provider = providers[(partySeed >> 8) % PARTIES];
        uint256 n = bound(countSeed, 1, 4);
        uint128[] memory amounts = new uint128[](n);
        uint64[] memory deadlines = new uint64[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            amounts[i] = uint128(bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, 10_000e6));
            deadlines[i] = uint64(block.timestamp + 1 hours + i * 1 days);
            total += amounts[i];
        }
        vm.prank(client);
        escrow.create(provider, withValidator ? validator : address(0), IERC20(address(token)), amounts, deadlines, REVIEW, 0);
        ghostDeposited += total;
    }

    function submit(uint256 seed, uint256 actorSeed) external {
        (uint256 id, uint256 index, bool ok) = _pick(seed);
        if (!ok) return;
        address actor = _actor(actorSeed, id);
        vm.prank(actor);
        try escrow.submit(id, index, keccak256(abi.encode(seed))) {
            if (actor != escrow.agreement(id).provider) ++wrongPartySucceeded;
        } catch {}
    }

    function accept(uint256 seed, uint256 actorSeed) external {
        (uint256 id, uint256 index, bool ok) = _pick(seed);
        if (!ok) return;
        address actor = _actor(actorSeed, id);
        uint256 amount = escrow.milestone(id, index).amount;
        vm.prank(actor);
        try escrow.accept(id, index) {
            if (actor != escrow.agreement(id).client) ++wrongPartySucceeded;
            _markSettled(id, index);
            ghostPaidOnAccept += amount;
        } catch {}
    }

    function rule(uint256 seed, uint256 actorSeed, uint16 bps) external {
        (uint256 id, uint256 index, bool ok) = _pick(seed);
        if (!ok) return;
        address actor = _actor(actorSeed, id);
        bps = uint16(bound(bps, 0, 10_000));
        uint256 amount = escrow.milestone(id, index).amount;
        vm.prank(actor);
        try escrow.rule(id, index, bps, 0) {
            if (actor != validator || escrow.agreement(id).validator != validator) ++wrongPartySucceeded;
            _markSettled(id, index);
            uint256 toProvider = amount * bps / 10_000;
            ghostPaidOnRuling += toProvider;
            ghostRefunded += amount - toProvider;
        } catch {}
    }

    function refund(uint256 seed, uint256 actorSeed) external {
        (uint256 id, uint256 index, bool ok) = _pick(seed);
        if (!ok) return;
        ServiceEscrow.Milestone memory m = escrow.milestone(id, index);
        bool submitted = m.status == ServiceEscrow.Status.Submitted;
        uint256 limit = submitted ? uint256(m.deadline) + escrow.agreement(id).reviewPeriod : m.deadline;
        vm.prank(_actor(actorSeed, id));
        try escrow.refund(id, index) {
            // A refund by timeout before the limit would let a client take back work in review.
            if (block.timestamp < limit) ++wrongPartySucceeded;
            _markSettled(id, index);
            ghostRefunded += m.amount;
        } catch {}
    }

    function giveBack(uint256 seed, uint256 actorSeed) external {
        (uint256 id, uint256 index, bool ok) = _pick(seed);
        if (!ok) return;
        address actor = _actor(actorSeed, id);
        uint256 amount = escrow.milestone(id, index).amount;
        vm.prank(actor);
        try escrow.giveBack(id, index) {
            if (actor != escrow.agreement(id).provider) ++wrongPartySucceeded;
            _markSettled(id, index);
            ghostRefunded += amount;
        } catch {}
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 3 days));
    }

    function _markSettled(uint256 id, uint256 index) internal {
        if (_settled[id][index]) ++settledTwice;
        _settled[id][index] = true;
    }
}
