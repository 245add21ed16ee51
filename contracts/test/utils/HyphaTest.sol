// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @notice Base of every Hypha test contract: the cheatcode handle and a few helpers forge-std would give.
abstract contract HyphaTest {
    /// @dev The fixed address forge answers cheatcodes on.
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev secp256k1 group order; private keys must lie in [1, N-1].
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @dev Maps any fuzzed `x` into [min, max] (wrapping), so fuzz runs are not wasted on rejected inputs.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @dev A labelled address derived from a name (no key).
    function makeAddr(string memory name) internal returns (address account) {
        (account,) = makeAccount(name);
    }

    /// @dev A labelled address with its private key, derived from a name.
    function makeAccount(string memory name) internal returns (address account, uint256 key) {
        key = uint256(keccak256(bytes(name))) % (SECP256K1_N - 1) + 1;
        account = vm.addr(key);
        vm.label(account, name);
    }

    /// @dev A private key in [1, N-1] from any fuzzed value.
    function boundKey(uint256 seed) internal pure returns (uint256) {
        return bound(seed, 1, SECP256K1_N - 1);
    }
}
