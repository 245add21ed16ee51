// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {SubnetStack} from "./utils/SubnetFixture.sol";
import {SubnetEpochs} from "../src/subnets/SubnetEpochs.sol";
import {SubnetRegistry} from "../src/subnets/SubnetRegistry.sol";

/// @notice The cost of one challenge at a realistic size: 64 UIDs, 16 validators each weighing all 63 others. The
/// post is honest except the last checked output (the running dividends vector), so the column challenge recomputes
/// everything before it wins; a dividends challenge of a validator whose dividends were changed reads the active
/// stakes and one vector. `forge test --match-contract SubnetEpochsGasTest --gas-report` shows both functions' gas.
contract SubnetEpochsGasTest is HyphaTest {
    uint256 internal constant N = 64;
    uint256 internal constant VALIDATORS = 16;

    function test_challengeOfOneUidAt64UidsAnd16Validators() public {
        (SubnetStack s, uint256 netuid, SubnetEpochs.Leaf[] memory leaves) = _epoch();
        uint256 uid = N / 2;
        leaves[uid].runningHash = keccak256("not the running vector");
        SubnetEpochs epochs = _post(s, netuid, leaves);
        SubnetEpochs.Challenge memory c = s.challengeOf(netuid, 1, leaves, uid);
        bytes memory data = abi.encode(c);
        uint256 before = gasleft();
        SubnetEpochs.Fault fault = epochs.challenge(netuid, 1, data);
        uint256 used = before - gasleft();
        vm.assertEq(uint256(fault), uint256(SubnetEpochs.Fault.Running));
        vm.assertLt(used, 30_000_000); // one challenge must fit a block
    }

    function test_dividendsChallengeAt64UidsAnd16Validators() public {
        (SubnetStack s, uint256 netuid, SubnetEpochs.Leaf[] memory leaves) = _epoch();
        uint256 uid = VALIDATORS / 2;
        vm.assertTrue(leaves[uid].dividends > 0, "the validator earned no dividends: test is vacuous");
        leaves[uid].dividends += 1;
        SubnetEpochs epochs = _post(s, netuid, leaves);
        SubnetEpochs.DividendsChallenge memory c = s.dividendsChallengeOf(netuid, 1, leaves, uid);
        bytes memory data = abi.encode(c);
        uint256 before = gasleft();
        SubnetEpochs.Fault fault = epochs.challengeDividends(netuid, 1, data);
        uint256 used = before - gasleft();
        vm.assertEq(uint256(fault), uint256(SubnetEpochs.Fault.Dividends));
        vm.assertLt(used, 30_000_000);
    }

    function _post(SubnetStack s, uint256 netuid, SubnetEpochs.Leaf[] memory leaves) internal returns (SubnetEpochs) {
        SubnetEpochs epochs = s.epochs();
        s.fund(address(0xB0B), s.POST_BOND());
        vm.prank(address(0xB0B));
        epochs.post(netuid, 1, leaves);
        return epochs;
    }

    /// @dev A subnet of N UIDs after one empty epoch and one where VALIDATORS validators weighed everyone: epoch 1's
    /// honest leaves.
    function _epoch() internal returns (SubnetStack s, uint256 netuid, SubnetEpochs.Leaf[] memory leaves) {
        vm.roll(100);
        s = new SubnetStack();
        SubnetRegistry.Hyperparameters memory p = s.defaultParams();
        p.maxUids = uint16(N);
        p.maxValidators = uint16(VALIDATORS);
        netuid = s.createSubnet(address(0x0E1), p);
        address[] memory actors = new address[](N);
        for (uint256 i; i < N; ++i) {
            actors[i] = address(uint160(0x10000 + i));
            s.register(netuid, actors[i]);
            if (i < VALIDATORS) s.stakeValidator(actors[i], (100 + i) * 1 ether);
        }
        s.closeEpoch(netuid);
        s.postAndFinalize(netuid, 0, s.honestLeaves(netuid, 0), address(0xB0B));
        for (uint256 v; v < VALIDATORS; ++v) {
            uint16[] memory uids = new uint16[](N - 1);
            uint16[] memory values = new uint16[](N - 1);
            uint256 k;
            for (uint256 j; j < N; ++j) {
                if (j == v) continue;
                uids[k] = uint16(j);
                values[k] = uint16(1 + uint256(keccak256(abi.encode(v, j))) % 65_535);
                ++k;
            }
            s.setWeights(netuid, actors[v], uids, values);
        }
        s.closeEpoch(netuid);
        leaves = s.honestLeaves(netuid, 1);
    }
}
