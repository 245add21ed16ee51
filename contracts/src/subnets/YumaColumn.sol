// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {YumaFixed} from "./YumaFixed.sol";

/// @title YumaColumn
/// @notice One UID's column of subtensor's Yuma3 epoch (YumaEpoch.run in hypha-incentives, liquid alpha off, no
/// owner UID, stake threshold 0), recomputed on chain from the epoch's frozen inputs: normalised and active stake,
/// the masked and row-normalised weights every validator gave the UID, the stake-weighted κ-quantile consensus, the
/// clipped weights, the UID's rank, and the new bonds every validator holds on it (EMA over the previous bonds,
/// kept only for UIDs with a new permit). What a column cannot give alone (the sum of all ranks, the dividends) the
/// epoch's leaves carry as prefix sums that a challenge checks one step at a time.
library YumaColumn {
    using YumaFixed for int64;

    /// @notice One UID's frozen epoch input (the registry hashes the array of them when the epoch closes).
    struct UidInput {
        address account;
        uint64 stake; // stake weight in nano-HYP (1e9 wei), subtensor's u64 smallest unit
        uint64 registeredAt; // block the UID was (last) registered at
        uint64 lastUpdate; // block of the UID's last weight commit (0: never)
        uint64 commitBlock; // block of the commit its current weights were revealed from (type(uint64).max: none)
        bool permit; // validator permit as the previous epoch left it
        bytes32 weightsHash; // keccak256(abi.encode(uids, values)) of its revealed weights (0: none)
    }

    /// @notice A validator's revealed weights: strictly increasing UIDs, non-zero u16 values.
    struct WeightRow {
        uint16[] uids;
        uint16[] values;
    }

    /// @notice The subnet's epoch hyper-parameters and the epoch's blocks.
    struct Params {
        uint16 kappa;
        uint16 bondsPenalty;
        uint64 bondsMovingAverage;
        uint16 maxValidators;
        uint64 activityCutoff;
        uint64 tempo;
        uint64 currentBlock;
        uint64 lastStepBlock;
    }

    /// @notice What one column determines.
    struct Column {
        int64 consensus;
        int64 rank;
        int64 stake; // this UID's normalised stake
        int64 activeStake; // this UID's normalised active stake
        bool activeStakeIsZero; // all active stake is zero (the epoch then pays validators by plain stake)
        uint16[] bonds; // new bond of every validator on this UID (u16, 0 where none)
        int64[] ema; // new I32F32 bond of every validator on this UID before storage (0 where none): dividends read it
    }

    /// @dev Working arrays of one recomputation (kept in memory to avoid stack depth limits).
    struct Work {
        int64[] stake;
        int64[] activeStake;
        int64[] weight; // normalised masked weight of each validator on the column (0: none)
        bool[] hasWeight;
        int64[] clipped;
        bool[] hasClipped;
    }

    /// @notice Recomputes column `j`. `inputs` and `rows` must be the frozen ones (callers check their hashes);
    /// `previousBonds[i]` is validator i's u16 bond on `j` from the previous accepted epoch (0 where none).
    function compute(
        UidInput[] memory inputs,
        WeightRow[] memory rows,
        Params memory p,
        uint256 j,
        uint16[] memory previousBonds
    ) internal pure returns (Column memory col) {
        uint256 n = inputs.length;
        Work memory w = _stakes(inputs, p);
        _weights(inputs, rows, j, w);
        col.consensus = _consensus(w, p.kappa);
        col.rank = _clipAndRank(w, col.consensus);
        col.stake = w.stake[j];
        col.activeStake = w.activeStake[j];
        int64 activeSum;
        for (uint256 i; i < n; ++i) {
            activeSum = YumaFixed.wrapAdd(activeSum, w.activeStake[i]);
        }
        col.activeStakeIsZero = activeSum == 0;
        (col.bonds, col.ema) = _bonds(inputs, w, p, j, previousBonds);
    }

    /// @notice Every UID's normalised active stake (what dividends are weighed by).
    function activeStakes(UidInput[] memory inputs, Params memory p) internal pure returns (int64[] memory) {
        return _stakes(inputs, p).activeStake;
    }

    /// @dev Normalised stake (I64F64 then I32F32) and normalised active stake (active and permitted).
    function _stakes(UidInput[] memory inputs, Params memory p) private pure returns (Work memory w) {
        uint256 n = inputs.length;
        w.stake = new int64[](n);
        w.activeStake = new int64[](n);
        w.weight = new int64[](n);
        w.hasWeight = new bool[](n);
        w.clipped = new int64[](n);
        w.hasClipped = new bool[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += inputs[i].stake;
        }
        int64 activeSum;
        for (uint256 i; i < n; ++i) {
            w.stake[i] = YumaFixed.stakeShare(inputs[i].stake, total);
            if (_isActive(inputs[i].lastUpdate, p) && inputs[i].permit) {
                w.activeStake[i] = w.stake[i];
                activeSum = YumaFixed.wrapAdd(activeSum, w.stake[i]);
            }
        }
        if (activeSum != 0) {
            for (uint256 i; i < n; ++i) {
                w.activeStake[i] = YumaFixed.safeDiv(w.activeStake[i], activeSum);
            }
        }
    }

    /// @dev last_update + activity_cutoff ≥ current block (u64, saturating).
    function _isActive(uint64 lastUpdate, Params memory p) private pure returns (bool) {
        uint256 until = uint256(lastUpdate) + p.activityCutoff;
        if (until > type(uint64).max) until = type(uint64).max;
        return until >= p.currentBlock;
    }

    /// @dev Each permitted validator's weight on `j` after the masks (self weight, weights not newer than the
    /// target's registration, commits older than it), divided by the masked row's sum.
    function _weights(UidInput[] memory inputs, WeightRow[] memory rows, uint256 j, Work memory w) private pure {
        uint256 n = inputs.length;
        for (uint256 i; i < n; ++i) {
            if (!inputs[i].permit) continue;
            (int64 rowSum, int64 raw, bool found) = _maskedRow(inputs, rows[i], i, j);
            if (!found) continue;
            w.hasWeight[i] = true;
            w.weight[i] = rowSum > 0 ? YumaFixed.safeDiv(raw, rowSum) : raw;
        }
    }

    /// @dev Validator i's masked row: its (wrapping) sum and its raw weight on j.
    function _maskedRow(UidInput[] memory inputs, WeightRow memory row, uint256 i, uint256 j)
        private pure returns (int64 rowSum, int64 raw, bool found)
    {
        uint256 n = inputs.length;
        uint64 lastUpdate = inputs[i].lastUpdate;
        uint64 commitBlock = inputs[i].commitBlock;
        for (uint256 k; k < row.uids.length; ++k) {
            uint256 c = row.uids[k];
            if (c == i || c >= n) continue;
            uint64 registeredAt = inputs[c].registeredAt;
            if (lastUpdate <= registeredAt || commitBlock < registeredAt) continue;
            int64 v = YumaFixed.fromU16(row.values[k]);
            rowSum = YumaFixed.wrapAdd(rowSum, v);
            if (c == j) {
                raw = v;
                found = true;
            }
        }
    }

    /// @dev YumaMath.weightedMedianColSparse for one column: over UIDs with positive active stake, in UID order.
    function _consensus(Work memory w, uint16 kappa) private pure returns (int64) {
        uint256 n = w.stake.length;
        uint256 m;
        for (uint256 i; i < n; ++i) {
            if (w.activeStake[i] > 0) ++m;
        }
        int64[] memory useStake = new int64[](m);
        int64[] memory score = new int64[](m);
        uint256 k;
        int64 sum;
        for (uint256 i; i < n; ++i) {
            if (w.activeStake[i] > 0) {
                useStake[k] = w.activeStake[i];
                score[k] = w.hasWeight[i] ? w.weight[i] : int64(0);
                sum = YumaFixed.wrapAdd(sum, useStake[k]);
                ++k;
            }
        }
        int64 stakeSum;
        if (sum != 0) {
            for (uint256 i; i < m; ++i) {
                useStake[i] = YumaFixed.safeDiv(useStake[i], sum);
                stakeSum = YumaFixed.wrapAdd(stakeSum, useStake[i]);
            }
        } else {
            stakeSum = sum;
        }
        int64 minority = YumaFixed.satSub(stakeSum, YumaFixed.u16ProportionToFixed(kappa));
        uint256[] memory current = new uint256[](m);
        for (uint256 i; i < m; ++i) {
            current[i] = i;
        }
        return weightedMedian(useStake, score, current, minority, 0, stakeSum);
    }

    /// @notice YumaMath.weightedMedian: subtensor's deterministic weighted κ-quantile with the mid pivot.
    function weightedMedian(
        int64[] memory stake,
        int64[] memory score,
        uint256[] memory current,
        int64 minority,
        int64 lo,
        int64 hi
    ) internal pure returns (int64) {
        uint256 limit = current.length;
        uint256 iterations;
        while (true) {
            uint256 len = current.length;
            if (len == 0) return 0;
            if (len == 1) return score[current[0]];
            int64 pivot = score[current[len / 2]];
            (uint256[] memory lower, uint256[] memory upper, int64 loStake, int64 hiStake) =
                _partition(stake, score, current, pivot);
            if (minority < YumaFixed.satAdd(lo, loStake) && lower.length > 0) {
                current = lower;
                hi = YumaFixed.satAdd(lo, loStake);
            } else if (YumaFixed.satSub(hi, hiStake) <= minority && upper.length > 0) {
                current = upper;
                lo = YumaFixed.satSub(hi, hiStake);
            } else {
                return pivot;
            }
            ++iterations;
            if (iterations > limit) return 0;
        }
        return 0; // unreachable: the loop returns
    }

    /// @dev Splits `current` around `pivot` (entries equal to it drop out), with each side's stake (saturating).
    function _partition(int64[] memory stake, int64[] memory score, uint256[] memory current, int64 pivot)
        private pure returns (uint256[] memory lower, uint256[] memory upper, int64 loStake, int64 hiStake)
    {
        uint256 len = current.length;
        lower = new uint256[](len);
        upper = new uint256[](len);
        uint256 nLower;
        uint256 nUpper;
        for (uint256 k; k < len; ++k) {
            uint256 idx = current[k];
            int64 s = score[idx];
            if (s == pivot) continue;
            if (s < pivot) {
                loStake = YumaFixed.satAdd(loStake, stake[idx]);
                lower[nLower++] = idx;
            } else {
                hiStake = YumaFixed.satAdd(hiStake, stake[idx]);
                upper[nUpper++] = idx;
            }
        }
        assembly ("memory-safe") {
            mstore(lower, nLower) // shrink in place: only the first entries were written
            mstore(upper, nUpper)
        }
    }

    /// @dev YumaMath.colClipSparse and matmulSparse for one column: weights above consensus are cut to it (or dropped
    /// when consensus is 0); rank = Σ active stake · clipped weight, in UID order, saturating.
    function _clipAndRank(Work memory w, int64 consensus) private pure returns (int64 rank) {
        uint256 n = w.stake.length;
        for (uint256 i; i < n; ++i) {
            if (!w.hasWeight[i]) continue;
            int64 v = w.weight[i];
            if (consensus < v) {
                if (consensus > 0) {
                    w.clipped[i] = consensus;
                    w.hasClipped[i] = true;
                }
            } else {
                w.clipped[i] = v;
                w.hasClipped[i] = true;
            }
            if (w.hasClipped[i]) rank = YumaFixed.satAdd(rank, YumaFixed.satMul(w.activeStake[i], w.clipped[i]));
        }
    }

    /// @dev Yuma3 bonds on column j: the weights for bonds (interpolated by the bonds penalty between weights and
    /// clipped weights), an EMA with the previous bonds (dropped when j registered since the last epoch), and u16
    /// storage for validators that hold a new permit; `ema` keeps every positive EMA value unmasked (dividends use
    /// them before storage, as YumaEpoch does).
    function _bonds(
        UidInput[] memory inputs,
        Work memory w,
        Params memory p,
        uint256 j,
        uint16[] memory previousBonds
    ) private pure returns (uint16[] memory out, int64[] memory emaOut) {
        uint256 n = inputs.length;
        out = new uint16[](n);
        emaOut = new int64[](n);
        bool[] memory newPermit = isTopkNonzero(w.stake, p.maxValidators);
        int64 ratio = YumaFixed.u16ProportionToFixed(p.bondsPenalty);
        uint64 lastTempo = p.lastStepBlock == 0
            ? (p.currentBlock > p.tempo ? p.currentBlock - p.tempo : 0)
            : (p.lastStepBlock == type(uint64).max ? type(uint64).max : p.lastStepBlock + 1);
        bool resetBonds = lastTempo <= inputs[j].registeredAt;
        int64 alpha = YumaFixed.fixedAlpha(p.bondsMovingAverage);
        int64 oneMinusAlpha = YumaFixed.satSub(YumaFixed.ONE, alpha);
        for (uint256 i; i < n; ++i) {
            int64 forBonds = _weightForBonds(w, i, ratio);
            int64 old = (resetBonds || i >= previousBonds.length)
                ? int64(0)
                : YumaFixed.safeDiv(YumaFixed.fromU16(previousBonds[i]), YumaFixed.U16_MAX);
            int64 ema = YumaFixed.satAdd(YumaFixed.satMul(alpha, forBonds), YumaFixed.satMul(oneMinusAlpha, old));
            if (ema > 0) emaOut[i] = ema;
            if (ema > 0 && newPermit[i]) out[i] = YumaFixed.proportionToU16(ema);
        }
    }

    function _weightForBonds(Work memory w, uint256 i, int64 ratio) private pure returns (int64) {
        if (ratio == 0) return w.hasWeight[i] ? w.weight[i] : int64(0);
        if (ratio == YumaFixed.ONE) return w.hasClipped[i] ? w.clipped[i] : int64(0);
        int64 a = w.hasWeight[i] ? w.weight[i] : int64(0);
        int64 b = w.hasClipped[i] ? w.clipped[i] : int64(0);
        int64 interp = YumaFixed.satAdd(a, YumaFixed.satMul(ratio, YumaFixed.satSub(b, a)));
        return interp > 0 ? interp : int64(0);
    }

    /// @notice YumaMath.isTopkNonzero: the k largest non-zero entries (ties: the later UID ranks higher, as a
    /// stable ascending sort that marks the first n − k false).
    function isTopkNonzero(int64[] memory x, uint256 k) internal pure returns (bool[] memory result) {
        uint256 n = x.length;
        result = new bool[](n);
        for (uint256 i; i < n; ++i) {
            result[i] = x[i] != 0;
        }
        if (n < k) return result;
        for (uint256 i; i < n; ++i) {
            if (!result[i]) continue;
            uint256 position; // index of i in the stable ascending order
            for (uint256 m; m < n; ++m) {
                if (x[m] < x[i] || (x[m] == x[i] && m < i)) ++position;
            }
            if (position < n - k) result[i] = false;
        }
    }
}
