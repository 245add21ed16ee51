// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {YumaFixed} from "./YumaFixed.sol";

/// @title YumaDividends
/// @notice Yuma3 dividends split into steps a challenge can check one at a time (hypha-incentives YumaEpoch, Yuma3
/// branch): R = rowSum(colNormalize(emaBonds) ⊙ incentive) is built column by column, R_j = R_{j−1} + B̂_·j ·
/// incentive_j, and dividends = normalize(R ⊙ activeStake). A post carries keccak256(abi.encode(R_j)) in leaf j, so
/// the column challenge of j checks one step and the dividends challenge of i reads R_{n−1} from leaf n−1.
library YumaDividends {
    /// @notice R_j from R_{j−1}: column j of the new bonds (every validator's I32F32 bond on j, 0 where none) divided
    /// by its saturating sum (colNormalizeSparse; left alone when the sum is 0), times incentive_j (saturating), added
    /// to each validator's running row sum. The add wraps, as subtensor's row sum (`iter().sum()`) does, so the order
    /// of the columns cannot change R.
    function step(int64[] memory before, int64[] memory emaColumn, int64 incentive)
        internal pure returns (int64[] memory next)
    {
        uint256 n = before.length;
        int64 colSum;
        for (uint256 i; i < n; ++i) {
            if (emaColumn[i] > 0) colSum = YumaFixed.satAdd(colSum, emaColumn[i]);
        }
        next = new int64[](n);
        for (uint256 i; i < n; ++i) {
            int64 b = emaColumn[i] > 0 ? emaColumn[i] : int64(0);
            if (colSum != 0) b = YumaFixed.safeDiv(b, colSum);
            next[i] = YumaFixed.wrapAdd(before[i], YumaFixed.satMul(b, incentive));
        }
    }

    /// @notice Validator i's dividends: normalize(vecMul(R, activeStake))_i (products that overflow count as 0, the
    /// sum wraps, a zero sum leaves the vector alone).
    function dividendOf(int64[] memory running, int64[] memory activeStake, uint256 i) internal pure returns (int64) {
        uint256 n = running.length;
        int64 sum;
        int64 mine;
        for (uint256 k; k < n; ++k) {
            int64 v = YumaFixed.mulOrZero(running[k], activeStake[k]);
            sum = YumaFixed.wrapAdd(sum, v);
            if (k == i) mine = v;
        }
        return sum == 0 ? mine : YumaFixed.safeDiv(mine, sum);
    }

    /// @notice The hash a leaf carries for a running vector: keccak256(abi.encode(int64[])).
    function hashOf(int64[] memory running) internal pure returns (bytes32) {
        return keccak256(abi.encode(running));
    }
}
