// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {Staking} from "../../src/Staking.sol";
import {DataPools} from "../../src/DataPools.sol";
import {DataPoolsHandler} from "./handlers/DataPoolsHandler.sol";

/// @notice Whatever mix of pools, contributions, scores, deposits, claims, reclaims and time travel happens: no pool
/// pays out more than was deposited into it; the contract holds exactly what pools have not paid out; no contribution
/// was paid more than its proportional share; each pool's total score is the sum of its contributions' scores; every
/// account holds what the books say.
contract DataPoolsInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal usd;
    DataPools internal pools;
    DataPoolsHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        Staking staking = new Staking(IERC20(address(usd)), makeAddr("admin"), 1 days, 7 days, makeAddr("sink"));
        pools = new DataPools(staking);
        handler = new DataPoolsHandler(usd, pools);
        for (uint256 i = 0; i < handler.OWNERS(); ++i) usd.mint(handler.owners(i), handler.INITIAL_BALANCE());
        handler.approveAll();

        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = DataPoolsHandler.createPool.selector;
        selectors[1] = DataPoolsHandler.contribute.selector;
        selectors[2] = DataPoolsHandler.score.selector;
        selectors[3] = DataPoolsHandler.deposit.selector;
        selectors[4] = DataPoolsHandler.claim.selector;
        selectors[5] = DataPoolsHandler.reclaim.selector;
        selectors[6] = DataPoolsHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    function invariant_PoolClaimsNeverExceedDeposits() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.poolCount(); ++i) {
            DataPools.Pool memory p = pools.poolOf(handler.poolIds(i));
            vm.assertLe(p.claimed, p.deposited, "a pool paid more than was deposited");
            held += p.deposited - p.claimed;
        }
        vm.assertEq(usd.balanceOf(address(pools)), held, "balance != deposits not paid out");
        vm.assertEq(usd.balanceOf(address(pools)), handler.ghostDeposited() - handler.ghostPaidOut());

        uint256[] memory scoreSums = new uint256[](handler.poolCount() + 1);
        for (uint256 i = 0; i < handler.contributionCount(); ++i) {
            DataPools.Contribution memory c = pools.contributionOf(handler.contributionIds(i));
            DataPools.Pool memory p = pools.poolOf(c.poolId);
            scoreSums[c.poolId] += c.score;
            if (p.totalScore != 0) {
                vm.assertLe(c.claimed, Math.mulDiv(p.deposited, c.score, p.totalScore), "paid above its share");
            }
        }
        for (uint256 i = 0; i < handler.poolCount(); ++i) {
            uint256 id = handler.poolIds(i);
            vm.assertEq(pools.poolOf(id).totalScore, scoreSums[id], "total score != sum of scores");
        }
        for (uint256 i = 0; i < handler.CONTRIBUTORS(); ++i) {
            address c = handler.contributors(i);
            vm.assertEq(usd.balanceOf(c), handler.ghostPaidTo(c), "contributor balance != claims");
        }
        for (uint256 i = 0; i < handler.OWNERS(); ++i) {
            address o = handler.owners(i);
            vm.assertEq(usd.balanceOf(o),
                handler.INITIAL_BALANCE() - handler.ghostDepositedBy(o) + handler.ghostReclaimedBy(o), "owner balance");
        }
        vm.assertEq(usd.balanceOf(handler.outsider()), 0, "an outsider got money");
        vm.assertEq(usd.balanceOf(handler.validator()), 0, "a validator got money");
    }
}
