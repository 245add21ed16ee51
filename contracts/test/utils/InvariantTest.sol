// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice The part of forge-std's StdInvariant we need: forge calls targetContracts() and targetSelectors()
/// on an invariant test contract to learn which handler functions to call at random.
abstract contract InvariantTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    FuzzSelector[] private _targetedSelectors;

    /// @dev Limits the fuzzer to `target` (call from setUp()).
    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    /// @dev Limits the fuzzer to these selectors of `target` (call from setUp()).
    function targetSelector(address target, bytes4[] memory selectors) internal {
        _targetedSelectors.push(FuzzSelector({addr: target, selectors: selectors}));
    }

    /// @notice Read by forge: contracts the invariant fuzzer calls.
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice Read by forge: selectors the invariant fuzzer calls.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }
}
