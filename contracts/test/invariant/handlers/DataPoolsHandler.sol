// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {DataPools} from "../../../src/DataPools.sol";

/// @notice Random pool lives: pools opened by two owners, contributions (and duplicate items), scores and rescores by
/// named validators (and attempts by outsiders and by contributors on their own items), deposits at any time, claims
/// before and after scoring ends, reclaims of unscored pools, and time travel. Ghost books record what was deposited
/// and what each contributor was paid.
contract DataPoolsHandler is HyphaTest {
    uint256 public constant OWNERS = 2;
    uint256 public constant CONTRIBUTORS = 3;
    uint256 public constant INITIAL_BALANCE = 1_000_000_000e6;

    PaymentToken public immutable usd;
    DataPools public immutable pools;
    address public immutable validator;
    address public immutable outsider;
    address[] public owners;
    address[] public contributors;
    uint256[] public poolIds;
    uint256[] public contributionIds;

    uint256 public ghostDeposited;
    uint256 public ghostPaidOut;
    mapping(address => uint256) public ghostPaidTo;
    mapping(address => uint256) public ghostDepositedBy;
    mapping(address => uint256) public ghostReclaimedBy;

    constructor(PaymentToken usd_, DataPools pools_) {
        usd = usd_;
        pools = pools_;
        validator = makeAddr("validator");
        outsider = makeAddr("outsider");
        for (uint256 i = 0; i < OWNERS; ++i) owners.push(makeAddr(string.concat("owner", vm.toString(i))));
        for (uint256 i = 0; i < CONTRIBUTORS; ++i) contributors.push(makeAddr(string.concat("contributor", vm.toString(i))));
    }

    function approveAll() external {
        for (uint256 i = 0; i < OWNERS; ++i) {
            vm.prank(owners[i]);
            usd.approve(address(pools), type(uint256).max);
        }
    }

    function createPool(uint256 ownerSeed, uint32 contributionSeconds, uint32 scoringSeconds) external {
        address owner = owners[ownerSeed % OWNERS];
        uint64 cEnd = uint64(block.timestamp + bound(contributionSeconds, 1, 3 days));
        uint64 sEnd = uint64(cEnd + bound(scoringSeconds, 0, 3 days));
        vm.startPrank(owner);
        uint256 id = pools.createPool(IERC20(address(usd)), cEnd, sEnd, 0, "");
        pools.setValidator(id, validator, true);
        vm.stopPrank();
        poolIds.push(id);
    }

    function contribute(uint256 poolSeed, uint256 contributorSeed, uint8 item) external {
        if (poolIds.length == 0) return;
        uint256 poolId = poolIds[poolSeed % poolIds.length];
        DataPools.Pool memory p = pools.poolOf(poolId);
        bytes memory cid = abi.encodePacked(hex"01551220", keccak256(abi.encode(item % 16)));
        vm.prank(contributors[contributorSeed % CONTRIBUTORS]);
        if (block.timestamp > p.contributionsEnd) {
            vm.expectRevert(abi.encodeWithSelector(DataPools.ContributionsClosed.selector, p.contributionsEnd));
            pools.contribute(poolId, cid);
            return;
        }
        try pools.contribute(poolId, cid) returns (uint256 id) {
            contributionIds.push(id);
        } catch (bytes memory reason) {
            vm.assertEq(bytes4(reason), DataPools.DuplicateItem.selector);
        }
    }

    function score(uint256 contributionSeed, uint32 value, bool byOutsider) external {
        if (contributionIds.length == 0) return;
        uint256 id = contributionIds[contributionSeed % contributionIds.length];
        DataPools.Contribution memory c = pools.contributionOf(id);
        DataPools.Pool memory p = pools.poolOf(c.poolId);
        value = uint32(bound(value, 0, pools.MAX_SCORE()));
        address who = byOutsider ? outsider : validator;
        vm.prank(who);
        if (block.timestamp > p.scoringEnd) {
            vm.expectRevert(abi.encodeWithSelector(DataPools.ScoringClosed.selector, p.scoringEnd));
        } else if (byOutsider) {
            vm.expectRevert(abi.encodeWithSelector(DataPools.NotValidator.selector, uint256(c.poolId), outsider));
        }
        pools.score(id, value);
    }

    function deposit(uint256 poolSeed, uint256 ownerSeed, uint256 amount) external {
        if (poolIds.length == 0) return;
        uint256 poolId = poolIds[poolSeed % poolIds.length];
        address from = owners[ownerSeed % OWNERS];
        amount = bound(amount, 1, 1_000_000e6);
        vm.prank(from);
        pools.deposit(poolId, amount);
        ghostDeposited += amount;
        ghostDepositedBy[from] += amount;
    }

    function claim(uint256 contributionSeed) external {
        if (contributionIds.length == 0) return;
        uint256 id = contributionIds[contributionSeed % contributionIds.length];
        DataPools.Contribution memory c = pools.contributionOf(id);
        DataPools.Pool memory p = pools.poolOf(c.poolId);
        vm.prank(outsider); // anyone may trigger; the money goes to the contributor
        if (block.timestamp <= p.scoringEnd) {
            vm.expectRevert(abi.encodeWithSelector(DataPools.ScoringNotOver.selector, p.scoringEnd));
            pools.claim(id);
            return;
        }
        if (pools.claimable(id) == 0) {
            vm.expectRevert(DataPools.ZeroAmount.selector);
            pools.claim(id);
            return;
        }
        uint256 paid = pools.claim(id);
        ghostPaidOut += paid;
        ghostPaidTo[c.contributor] += paid;
    }

    function reclaim(uint256 poolSeed) external {
        if (poolIds.length == 0) return;
        uint256 poolId = poolIds[poolSeed % poolIds.length];
        DataPools.Pool memory p = pools.poolOf(poolId);
        if (block.timestamp <= p.scoringEnd || p.totalScore != 0 || p.deposited == p.claimed) return;
        vm.prank(p.owner);
        pools.reclaimUnscored(poolId);
        ghostPaidOut += p.deposited - p.claimed;
        ghostReclaimedBy[p.owner] += p.deposited - p.claimed;
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 1, 1 days));
    }

    function poolCount() external view returns (uint256) {
        return poolIds.length;
    }

    function contributionCount() external view returns (uint256) {
        return contributionIds.length;
    }
}
