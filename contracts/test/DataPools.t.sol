// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "./utils/HyphaTest.sol";
import {PaymentToken} from "../src/PaymentToken.sol";
import {Staking} from "../src/Staking.sol";
import {DataPools} from "../src/DataPools.sol";

contract DataPoolsTest is HyphaTest {
    PaymentToken internal usd;
    PaymentToken internal hyp;
    Staking internal staking;
    DataPools internal pools;
    address internal poolOwner;
    address internal validator;
    address internal stakedValidator;
    address internal alice;
    address internal bob;
    uint64 internal contributionsEnd;
    uint64 internal scoringEnd;

    function setUp() public {
        vm.warp(1_700_000_000);
        poolOwner = makeAddr("poolOwner");
        validator = makeAddr("validator");
        stakedValidator = makeAddr("stakedValidator");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        hyp = new PaymentToken("Stake", "STK", 18, address(this));
        staking = new Staking(IERC20(address(hyp)), makeAddr("admin"), 1 days, 7 days, makeAddr("sink"));
        pools = new DataPools(staking);
        hyp.mint(stakedValidator, 100 ether);
        vm.startPrank(stakedValidator);
        hyp.approve(address(staking), 100 ether);
        staking.stake(staking.VALIDATOR(), 100 ether);
        vm.stopPrank();
        usd.mint(poolOwner, 1_000_000e6);
        vm.prank(poolOwner);
        usd.approve(address(pools), type(uint256).max);
        contributionsEnd = uint64(block.timestamp + 1 days);
        scoringEnd = uint64(block.timestamp + 2 days);
    }

    function _pool(uint96 minStake) internal returns (uint256 id) {
        vm.startPrank(poolOwner);
        id = pools.createPool(IERC20(address(usd)), contributionsEnd, scoringEnd, minStake, hex"0155");
        pools.setValidator(id, validator, true);
        vm.stopPrank();
    }

    function _contribute(address who, uint256 pool, uint256 seed) internal returns (uint256) {
        vm.prank(who);
        return pools.contribute(pool, abi.encodePacked(hex"01551220", keccak256(abi.encode(seed))));
    }

    function _score(address v, uint256 c, uint32 s) internal {
        vm.prank(v);
        pools.score(c, s);
    }

    function test_createPool_checksTheSchedule() public {
        vm.startPrank(poolOwner);
        vm.expectRevert(abi.encodeWithSelector(DataPools.InvalidSchedule.selector, uint64(block.timestamp), scoringEnd));
        pools.createPool(IERC20(address(usd)), uint64(block.timestamp), scoringEnd, 0, "");
        vm.expectRevert(abi.encodeWithSelector(DataPools.InvalidSchedule.selector, scoringEnd, contributionsEnd));
        pools.createPool(IERC20(address(usd)), scoringEnd, contributionsEnd, 0, "");
        uint64 far = uint64(block.timestamp + 366 days);
        vm.expectRevert(abi.encodeWithSelector(DataPools.InvalidSchedule.selector, far, far));
        pools.createPool(IERC20(address(usd)), far, far, 0, "");
        vm.expectRevert(DataPools.ZeroAddress.selector);
        pools.createPool(IERC20(address(0)), contributionsEnd, scoringEnd, 0, "");
        vm.stopPrank();
    }

    function test_contribute_oncePerItem_untilTheContributionPhaseEnds() public {
        uint256 p = _pool(0);
        uint256 c = _contribute(alice, p, 1);
        vm.assertEq(pools.contributionOf(c).contributor, alice);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(DataPools.DuplicateItem.selector, p));
        pools.contribute(p, abi.encodePacked(hex"01551220", keccak256(abi.encode(uint256(1)))));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(DataPools.InvalidContentId.selector, 0));
        pools.contribute(p, "");
        vm.warp(contributionsEnd + 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(DataPools.ContributionsClosed.selector, contributionsEnd));
        pools.contribute(p, hex"0102");
    }

    function test_score_onlyByValidators_notOnTheirOwnItems_untilScoringEnds() public {
        uint256 p = _pool(0);
        uint256 c = _contribute(alice, p, 1);
        vm.prank(stakedValidator); // staked, but this pool takes named validators only
        vm.expectRevert(abi.encodeWithSelector(DataPools.NotValidator.selector, p, stakedValidator));
        pools.score(c, 10);
        uint256 own = _contribute(validator, p, 2);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(DataPools.OwnContribution.selector, own));
        pools.score(own, 10);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(DataPools.ScoreTooHigh.selector, 1_000_001));
        pools.score(c, 1_000_001);
        _score(validator, c, 10);
        vm.warp(scoringEnd + 1);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(DataPools.ScoringClosed.selector, scoringEnd));
        pools.score(c, 20);
    }

    function test_score_byStakeWhenThePoolAllowsIt() public {
        uint256 p = _pool(50 ether);
        uint256 c = _contribute(alice, p, 1);
        _score(stakedValidator, c, 30);
        vm.assertTrue(pools.isValidator(p, stakedValidator));
        vm.assertFalse(pools.isValidator(p, bob));
        uint256 p2 = _pool(500 ether); // more than staked
        uint256 c2 = _contribute(alice, p2, 1);
        vm.prank(stakedValidator);
        vm.expectRevert(abi.encodeWithSelector(DataPools.NotValidator.selector, p2, stakedValidator));
        pools.score(c2, 30);
    }

    function test_score_isTheMeanOfTheValidators_andARescoreReplaces() public {
        uint256 p = _pool(50 ether);
        uint256 c = _contribute(alice, p, 1);
        _score(validator, c, 100);
        _score(stakedValidator, c, 300);
        vm.assertEq(uint256(pools.contributionOf(c).score), 200);
        _score(validator, c, 500);
        vm.assertEq(uint256(pools.contributionOf(c).score), 400);
        vm.assertEq(pools.poolOf(p).totalScore, 400);
        (uint32 v, bool scored) = pools.scoreOf(c, validator);
        vm.assertEq(uint256(v), 500);
        vm.assertTrue(scored);
    }

    function test_claim_followsTheScores_afterScoringEnds_andAgainAfterLaterDeposits() public {
        uint256 p = _pool(0);
        uint256 a = _contribute(alice, p, 1);
        uint256 b = _contribute(bob, p, 2);
        _score(validator, a, 300);
        _score(validator, b, 100);
        vm.prank(poolOwner);
        pools.deposit(p, 1_000e6);
        vm.expectRevert(abi.encodeWithSelector(DataPools.ScoringNotOver.selector, scoringEnd));
        pools.claim(a);

        vm.warp(scoringEnd + 1);
        vm.assertEq(pools.claim(a), 750e6);
        vm.assertEq(pools.claim(b), 250e6);
        vm.assertEq(usd.balanceOf(alice), 750e6);
        vm.expectRevert(DataPools.ZeroAmount.selector);
        pools.claim(a);
        vm.prank(poolOwner);
        pools.deposit(p, 100e6);
        vm.assertEq(pools.claim(a), 75e6);
        vm.assertEq(usd.balanceOf(address(pools)), 25e6);
    }

    function test_aZeroScoreEarnsNothing_andTheOthersShareAll() public {
        uint256 p = _pool(0);
        uint256 honest = _contribute(alice, p, 1);
        uint256 junk = _contribute(bob, p, 2);
        _score(validator, honest, 900);
        _score(validator, junk, 0);
        vm.prank(poolOwner);
        pools.deposit(p, 7);
        vm.warp(scoringEnd + 1);
        vm.expectRevert(DataPools.ZeroAmount.selector);
        pools.claim(junk);
        vm.assertEq(pools.claim(honest), 7);
    }

    function test_reclaimUnscored_returnsDepositsOnlyWhenNothingWasScored() public {
        uint256 p = _pool(0);
        uint256 c = _contribute(alice, p, 1);
        vm.prank(poolOwner);
        pools.deposit(p, 10e6);
        vm.prank(poolOwner);
        vm.expectRevert(abi.encodeWithSelector(DataPools.ScoringNotOver.selector, scoringEnd));
        pools.reclaimUnscored(p);
        vm.warp(scoringEnd + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(DataPools.NotPoolOwner.selector, p, alice));
        pools.reclaimUnscored(p);
        vm.prank(poolOwner);
        pools.reclaimUnscored(p);
        vm.assertEq(usd.balanceOf(poolOwner), 1_000_000e6);
        vm.expectRevert(DataPools.ZeroAmount.selector);
        pools.claim(c);
    }

    function test_reclaimUnscored_isRefusedWhenThePoolWasScored() public {
        uint256 p = _pool(0);
        uint256 c = _contribute(alice, p, 1);
        _score(validator, c, 1);
        vm.warp(scoringEnd + 1);
        vm.prank(poolOwner);
        vm.expectRevert(abi.encodeWithSelector(DataPools.PoolWasScored.selector, p));
        pools.reclaimUnscored(p);
    }

    function test_onlyThePoolOwnerNamesValidators() public {
        uint256 p = _pool(0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(DataPools.NotPoolOwner.selector, p, alice));
        pools.setValidator(p, alice, true);
        vm.prank(poolOwner);
        pools.setValidator(p, validator, false);
        vm.assertFalse(pools.isValidator(p, validator));
    }

    /// @dev Random scores and deposits: the claims of a pool add up to at most its deposits, each within one unit of
    /// its exact proportional share.
    function testFuzz_claimsNeverExceedDeposits(uint32[6] memory scores, uint256 deposit1, uint256 deposit2) public {
        deposit1 = bound(deposit1, 1, 1e30);
        deposit2 = bound(deposit2, 0, 1e30);
        uint256 p = _pool(0);
        uint256[6] memory ids;
        uint256 total;
        for (uint256 i = 0; i < 6; ++i) {
            ids[i] = _contribute(makeAddr(string.concat("c", vm.toString(i))), p, i);
            uint32 s = uint32(bound(scores[i], 0, 1_000_000));
            _score(validator, ids[i], s);
            total += s;
        }
        usd.mint(poolOwner, deposit1 + deposit2);
        vm.prank(poolOwner);
        pools.deposit(p, deposit1);
        vm.warp(scoringEnd + 1);
        uint256 paid;
        for (uint256 i = 0; i < 3; ++i) paid += pools.claimable(ids[i]) == 0 ? 0 : pools.claim(ids[i]);
        if (deposit2 > 0) {
            vm.prank(poolOwner);
            pools.deposit(p, deposit2);
        }
        for (uint256 i = 0; i < 6; ++i) paid += pools.claimable(ids[i]) == 0 ? 0 : pools.claim(ids[i]);
        uint256 deposited = deposit1 + deposit2;
        vm.assertLe(paid, deposited, "claims > deposits");
        if (total > 0) vm.assertLe(deposited - paid, 8, "more than rounding dust left");
        vm.assertEq(usd.balanceOf(address(pools)), deposited - paid);
    }
}
