// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice SubnetEmissions' side for apps: mints the app share accrued so far to its bound recipient (this contract).
interface IAppEmissions {
    function hyp() external view returns (address);
    function claimApps() external returns (uint256);
    function appsOwed() external view returns (uint256);
    function appsPaidTo(address recipient) external view returns (uint256);
}

/// @notice AppRewards' side the auction uses.
interface IAppRewardsFunding {
    function token() external view returns (IERC20);
    function fund(uint256 amount) external;
}

/// @title EmissionAuction
/// @notice Turns the apps' share of HYP emission into AppRewards' hUSD pool without an oracle: it sells the HYP by a
/// descending-price (Dutch) auction and funds AppRewards with every unit the buyer paid. AppRewards stays in the
/// payment token, so its wash-usage bound (a reward ≤ 5 % of the fee that earned it, fees never fund the pool) is
/// untouched; the auction only adds another `fund`er, and the clearing prices reveal what HYP is worth in hUSD.
/// @dev One lot at a time. Anyone opens a lot when none is live (`openLot`): it claims the accrued app share from
/// SubnetEmissions and the lot is everything this contract then holds (at least `minLot`, so dust cannot be
/// auctioned). The lot's price starts at `startPrice` (payment units per whole HYP) and falls linearly to
/// `floorPrice` over `lotBlocks`; a lot still unsold when it reaches the floor is over, and the next `openLot`
/// restarts it at the start price with everything held by then. A buyer takes the whole lot (no partial buys, so no
/// griefing by tiny buys), pays ceil(amount × price / 1e18) (rounded in the auction's favour; never 0 because the
/// floor is ≥ 1 and the lot ≥ 1 wei) and names the lot it read with a `maxPrice` guard: a front-runner who buys that
/// lot and opens the next one cannot make the buyer take the next (another amount) instead. Parameters are governance's (the timelock as
/// default admin), bounded, and apply from the next lot, so a live lot's price path never changes under a buyer.
contract EmissionAuction is AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Prices are payment-token units per whole HYP (1e18 wei).
    uint256 public constant ONE_HYP = 1e18;
    /// @notice Largest start price: keeps amount × price far from overflow for any HYP supply.
    uint256 public constant MAX_PRICE = 1e30;
    /// @notice Longest lot (about four months of 12-second blocks).
    uint64 public constant MAX_LOT_BLOCKS = 1_000_000;

    struct Params {
        uint128 startPrice;
        uint128 floorPrice;
        uint64 lotBlocks;
        uint128 minLot;
    }

    struct Lot {
        uint256 amount; // HYP wei for sale; 0 once bought
        uint128 startPrice;
        uint128 floorPrice;
        uint64 startBlock;
        uint64 blocks;
    }

    IAppEmissions public immutable emissions;
    IAppRewardsFunding public immutable appRewards;
    IERC20 public immutable hyp;
    IERC20 public immutable paymentToken;

    Params private _params;
    Lot private _lot;
    /// @notice Lots opened so far (the live or last lot's id is lotCount − 1).
    uint256 public lotCount;
    /// @notice HYP sold, and payment tokens paid by buyers (all funded AppRewards).
    uint256 public sold;
    uint256 public proceeds;

    event ParamsSet(uint256 startPrice, uint256 floorPrice, uint64 lotBlocks, uint256 minLot);
    event LotOpened(uint256 indexed lotId, uint256 amount, uint256 startPrice, uint256 floorPrice, uint64 startBlock,
        uint64 blocks);
    event Bought(uint256 indexed lotId, address indexed buyer, uint256 amount, uint256 price, uint256 cost);

    error BadParams();
    error LotLive(uint256 lotId, uint64 endBlock);
    error LotTooSmall(uint256 amount, uint256 minLot);
    error NoLiveLot();
    error WrongLot(uint256 lotId, uint256 liveLotId);
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @param emissions_ SubnetEmissions (its app recipient must be bound to this contract)
    /// @param appRewards_ AppRewards: the proceeds fund its pool; its token is the price's unit
    /// @param admin governance (the timelock): sets the parameters
    /// @param adminDelay delay of a two-step admin hand-over
    constructor(IAppEmissions emissions_, IAppRewardsFunding appRewards_, address admin, uint48 adminDelay,
        Params memory params_) AccessControlDefaultAdminRules(adminDelay, admin)
    {
        emissions = emissions_;
        appRewards = appRewards_;
        hyp = IERC20(emissions_.hyp());
        paymentToken = appRewards_.token();
        _setParams(params_);
    }

    // ---- governance ----------------------------------------------------------------------------------------

    /// @notice Governance sets the auction's parameters; they apply from the next lot.
    function setParams(Params calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(p);
    }

    function _setParams(Params memory p) private {
        if (p.floorPrice == 0 || p.floorPrice > p.startPrice || p.startPrice > MAX_PRICE) revert BadParams();
        if (p.lotBlocks == 0 || p.lotBlocks > MAX_LOT_BLOCKS || p.minLot == 0) revert BadParams();
        _params = p;
        emit ParamsSet(p.startPrice, p.floorPrice, p.lotBlocks, p.minLot);
    }

    // ---- the auction ---------------------------------------------------------------------------------------

    /// @notice Opens the next lot (anyone, when no lot is live): claims the accrued app share and offers everything
    /// held, at the start price.
    /// @return lotId the new lot
    function openLot() external nonReentrant returns (uint256 lotId) {
        Lot memory l = _lot;
        if (_live(l)) revert LotLive(lotCount - 1, l.startBlock + l.blocks);
        emissions.claimApps(); // whoever triggers the mint, `claimed` counts it (it reads SubnetEmissions)
        uint256 amount = hyp.balanceOf(address(this));
        Params memory p = _params;
        if (amount < p.minLot) revert LotTooSmall(amount, p.minLot);
        lotId = lotCount++;
        _lot = Lot({amount: amount, startPrice: p.startPrice, floorPrice: p.floorPrice,
            startBlock: uint64(block.number), blocks: p.lotBlocks});
        emit LotOpened(lotId, amount, p.startPrice, p.floorPrice, uint64(block.number), p.lotBlocks);
    }

    /// @notice Buys the whole live lot `lotId` at the current price, if that is at most `maxPrice`; the payment
    /// funds AppRewards' pool in the same transaction.
    /// @param lotId the lot the buyer read (and priced): refused when another lot is live
    /// @return amount HYP wei bought
    /// @return paid payment-token units paid (all of it now in AppRewards' pool)
    function buy(uint256 lotId, uint256 maxPrice) external nonReentrant returns (uint256 amount, uint256 paid) {
        Lot memory l = _lot;
        if (!_live(l)) revert NoLiveLot();
        if (lotId != lotCount - 1) revert WrongLot(lotId, lotCount - 1);
        uint256 unitPrice = _priceOf(l);
        if (unitPrice > maxPrice) revert PriceAboveMax(unitPrice, maxPrice);
        amount = l.amount;
        paid = Math.mulDiv(amount, unitPrice, ONE_HYP, Math.Rounding.Ceil);
        _lot.amount = 0;
        sold += amount;
        proceeds += paid;
        emit Bought(lotId, msg.sender, amount, unitPrice, paid);
        uint256 before = paymentToken.balanceOf(address(this));
        paymentToken.safeTransferFrom(msg.sender, address(this), paid);
        uint256 received = paymentToken.balanceOf(address(this)) - before;
        if (received != paid) revert UnsupportedToken(received, paid);
        paymentToken.forceApprove(address(appRewards), paid);
        appRewards.fund(paid);
        hyp.safeTransfer(msg.sender, amount);
    }

    // ---- views ---------------------------------------------------------------------------------------------

    /// @notice The whole state a buyer reads, at one block (separate calls could straddle a lot's end).
    struct LotView {
        uint256 lotCount; // lots opened so far: the current or last lot is lotCount − 1
        uint256 amount;
        uint256 startPrice;
        uint256 floorPrice;
        uint256 startBlock;
        uint256 blocks;
        bool live;
        uint256 price; // 0 unless live
        uint256 cost; // 0 unless live
        uint256 nextLotAmount;
        uint256 blockNumber; // the block this was read at
    }

    /// @notice HYP minted to this auction by SubnetEmissions so far (by `openLot`, by anyone's `claimApps`, or when
    /// governance rebound the app share away from it).
    function claimed() public view returns (uint256) {
        return emissions.appsPaidTo(address(this));
    }

    /// @notice The current or last lot, its price and cost when live, and what the next lot would offer, all read at
    /// this block.
    function lotView() external view returns (LotView memory v) {
        Lot memory l = _lot;
        v.lotCount = lotCount;
        v.amount = l.amount;
        v.startPrice = l.startPrice;
        v.floorPrice = l.floorPrice;
        v.startBlock = l.startBlock;
        v.blocks = l.blocks;
        v.live = _live(l);
        if (v.live) {
            v.price = _priceOf(l);
            v.cost = Math.mulDiv(l.amount, v.price, ONE_HYP, Math.Rounding.Ceil);
        }
        v.nextLotAmount = hyp.balanceOf(address(this)) + emissions.appsOwed();
        v.blockNumber = block.number;
    }

    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice The current (or last) lot; `amount` is 0 once bought.
    function currentLot() external view returns (Lot memory) {
        return _lot;
    }

    /// @notice Whether a lot can be bought now.
    function live() external view returns (bool) {
        return _live(_lot);
    }

    /// @notice The live lot's price now (payment units per whole HYP); reverts when no lot is live.
    function currentPrice() external view returns (uint256) {
        Lot memory l = _lot;
        if (!_live(l)) revert NoLiveLot();
        return _priceOf(l);
    }

    /// @notice What buying the live lot costs now (payment units); reverts when no lot is live.
    function currentCost() external view returns (uint256) {
        Lot memory l = _lot;
        if (!_live(l)) revert NoLiveLot();
        return Math.mulDiv(l.amount, _priceOf(l), ONE_HYP, Math.Rounding.Ceil);
    }

    /// @notice HYP the next `openLot` would offer now (held plus the app share not yet claimed).
    function nextLotAmount() external view returns (uint256) {
        return hyp.balanceOf(address(this)) + emissions.appsOwed();
    }

    function _live(Lot memory l) private view returns (bool) {
        return l.amount != 0 && block.number < uint256(l.startBlock) + l.blocks;
    }

    /// @dev start − (start − floor) × elapsed / blocks: the decrease rounds down, so the price rounds up.
    function _priceOf(Lot memory l) private view returns (uint256) {
        uint256 elapsed = block.number - l.startBlock;
        return l.startPrice - Math.mulDiv(l.startPrice - l.floorPrice, elapsed, l.blocks);
    }
}
