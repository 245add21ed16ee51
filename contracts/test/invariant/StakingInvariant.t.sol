// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {Staking} from "../../src/Staking.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @notice Money and stake are conserved in Staking whatever sequence of stake, unbond, withdraw, slash and
/// time travel happens (permits, bounded and proven slashes, sink and parameter changes included); strangers never
/// move someone else's stake; slashes never exceed the stake, bounded slashes never pass their window's bound; no
/// stake leaves before its request time plus the period in force when it was requested.
contract StakingInvariantTest is HyphaTest, InvariantTest {
    HyphaToken internal hyp;
    Staking internal staking;
    StakingHandler internal handler;
    address internal sink;
    uint256 internal supply;

    function setUp() public {
        address admin = makeAddr("admin");
        address slasher = makeAddr("slasher");
        address boundedSlasher = makeAddr("boundedSlasher");
        sink = makeAddr("sink");
        vm.warp(1_700_000_000);
        hyp = new HyphaToken(admin, 1 days, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, admin, 1 days, 7 days, sink);
        handler = new StakingHandler(hyp, staking, admin, slasher, boundedSlasher, sink);
        bytes32 slasherRole = staking.SLASHER_ROLE();
        bytes32 faultProofRole = staking.FAULT_PROOF_ROLE();
        vm.startPrank(admin);
        staking.grantRole(faultProofRole, slasher);
        staking.grantRole(slasherRole, boundedSlasher);
        vm.stopPrank();
        vm.assertTrue(hyp.transfer(address(handler), handler.ACTORS() * handler.INITIAL_BALANCE()));
        handler.fundActors();
        supply = hyp.totalSupply();

        bytes4[] memory selectors = new bytes4[](12);
        selectors[0] = StakingHandler.stake.selector;
        selectors[1] = StakingHandler.requestUnbond.selector;
        selectors[2] = StakingHandler.withdraw.selector;
        selectors[3] = StakingHandler.slash.selector;
        selectors[4] = StakingHandler.strangerUnbondAndWithdraw.selector;
        selectors[5] = StakingHandler.unauthorizedSlash.selector;
        selectors[6] = StakingHandler.warp.selector;
        selectors[7] = StakingHandler.setUnbondingPeriod.selector;
        selectors[8] = StakingHandler.stakeWithPermit.selector;
        selectors[9] = StakingHandler.boundedSlash.selector;
        selectors[10] = StakingHandler.setSlashSink.selector;
        selectors[11] = StakingHandler.setMaxSlashBps.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call: forge runs a separate campaign per
    /// invariant_* function, so separate functions would multiply the suite's time for the same coverage.
    function invariant_StakeAndMoneyAreConserved() public view {
        _assertContractBalanceEqualsTotalStaked();
        _assertTotalStakedEqualsSumOfActiveAndUnbonding();
        _assertDepositedEqualsHeldPlusWithdrawnPlusSlashed();
        _assertSinkHoldsExactlyTheSlashedAmount();
        _assertEveryActorsMoneyIsAccountedFor();
        _assertTokenSupplyUnchanged();
    }

    function _assertContractBalanceEqualsTotalStaked() internal view {
        vm.assertEq(hyp.balanceOf(address(staking)), staking.totalStaked(), "balance != totalStaked");
    }

    function _assertTotalStakedEqualsSumOfActiveAndUnbonding() internal view {
        vm.assertEq(staking.totalStaked(), handler.sumOfStakes(), "totalStaked != sum of active + unbonding");
    }

    function _assertDepositedEqualsHeldPlusWithdrawnPlusSlashed() internal view {
        vm.assertEq(
            handler.ghostDeposited(),
            staking.totalStaked() + handler.ghostWithdrawn() + handler.ghostSlashed(),
            "deposited != held + withdrawn + slashed"
        );
    }

    function _assertSinkHoldsExactlyTheSlashedAmount() internal view {
        vm.assertEq(handler.sumOfSinks(), handler.ghostSlashed(), "sinks != slashed");
    }

    function _assertEveryActorsMoneyIsAccountedFor() internal view {
        uint256 initial = handler.INITIAL_BALANCE();
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address actor = handler.actors(i);
            vm.assertEq(
                hyp.balanceOf(actor) + handler.depositedBy(actor),
                initial + handler.withdrawnBy(actor),
                "actor balance + deposited != initial + withdrawn"
            );
        }
    }

    function _assertTokenSupplyUnchanged() internal view {
        vm.assertEq(hyp.totalSupply(), supply, "HYP supply changed");
    }
}
