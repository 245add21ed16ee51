// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title Fiat–Shamir transcript of hypha-zk, replayed on-chain
/// @notice The Keccak-256 hash chain that hypha-zk's prover (Java, `dev.hypha.zk.transcript.Transcript`) follows, so a
/// Solidity verifier derives the same challenges from the same proof. Layout (docs/ZK.md):
///   start:   state = keccak256("hypha.zk.transcript.v1" ‖ domain)
///   absorb:  state = keccak256(state ‖ 0x01 ‖ uint32(len label) ‖ label ‖ uint32(len data) ‖ data)
///   squeeze: out   = keccak256(state ‖ 0x02 ‖ uint32(len label) ‖ label); state = out
/// Field elements are 8-byte big-endian words of the Goldilocks field p = 2^64 − 2^32 + 1, extension elements
/// (c0 + c1·X, X² = 7) c0 then c1. The first building block of the on-chain verifier; nothing calls it yet.
library ZkTranscript {
    /// @notice The Goldilocks prime 2^64 − 2^32 + 1.
    uint256 internal constant P = 0xFFFFFFFF00000001;

    /// @notice Thrown when a value handed in as a field element is not below p.
    error NonCanonicalFieldElement(uint256 value);

    /// @notice The initial state for a protocol domain.
    function start(string memory domain) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("hypha.zk.transcript.v1", domain));
    }

    /// @notice Absorbs raw bytes under a label.
    function absorb(bytes32 state, string memory label, bytes memory data) internal pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(state, uint8(1), uint32(bytes(label).length), label, uint32(data.length), data)
        );
    }

    /// @notice Absorbs base-field elements, 8 bytes big-endian each; reverts on a value not below p.
    function absorbFields(bytes32 state, string memory label, uint256[] memory values)
        internal
        pure
        returns (bytes32)
    {
        bytes memory data = new bytes(values.length * 8);
        for (uint256 i = 0; i < values.length; i++) {
            uint256 v = values[i];
            if (v >= P) revert NonCanonicalFieldElement(v);
            for (uint256 b = 0; b < 8; b++) {
                data[i * 8 + b] = bytes1(uint8(v >> (8 * (7 - b))));
            }
        }
        return absorb(state, label, data);
    }

    /// @notice A 32-byte squeeze; the state moves to it.
    function squeeze(bytes32 state, string memory label) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(state, uint8(2), uint32(bytes(label).length), label));
    }

    /// @notice An extension-field challenge: each 128-bit half of one squeeze reduced modulo p.
    /// @return next the new state
    /// @return c0 the constant coefficient
    /// @return c1 the coefficient of X
    function challengeExt(bytes32 state, string memory label)
        internal
        pure
        returns (bytes32 next, uint256 c0, uint256 c1)
    {
        next = squeeze(state, label);
        uint256 word = uint256(next);
        c0 = (word >> 128) % P;
        c1 = (word & type(uint128).max) % P;
    }

    /// @notice `count` indices below `domainSize` (a power of two): the low bits of the four big-endian 64-bit words of
    /// each squeeze, in order.
    function challengeIndices(bytes32 state, string memory label, uint256 count, uint256 domainSize)
        internal
        pure
        returns (bytes32 next, uint256[] memory indices)
    {
        require(domainSize != 0 && domainSize & (domainSize - 1) == 0, "domain must be a power of two");
        indices = new uint256[](count);
        next = state;
        uint256 block_;
        for (uint256 i = 0; i < count; i++) {
            if (i % 4 == 0) {
                next = squeeze(next, label);
                block_ = uint256(next);
            }
            uint256 word = (block_ >> (64 * (3 - (i % 4)))) & type(uint64).max;
            indices[i] = word & (domainSize - 1);
        }
    }
}
