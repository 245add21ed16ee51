// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AssetRegistry} from "./AssetRegistry.sol";

/// @title RoyaltySplitter
/// @notice Revenue paid to an asset (an inference channel's settlement, a training lease, a direct sale) is split up
/// the asset's lineage in AssetRegistry: each parent receives its declared share of what reached the child, and so on
/// for ROYALTY_DEPTH generations; what a node keeps after its parents' shares (the rounding remainder included) is
/// credited to that asset's owner at the time of payment. Recipients pull their balance with `withdraw`.
/// @dev No owner, no admin. Anyone may pay any amount of any plain ERC-20 (no fee on transfer) to any existing asset.
/// Rounding never creates or loses a unit: each parent gets floor(amount * share / BPS) and the node's owner gets
/// exactly the rest, so the credits of one payment add up to the payment. The walk visits at most
/// AssetRegistry.MAX_ROYALTY_WALK assets (the registry refuses lineage beyond it), so a payment's gas is bounded.
/// Revoked ancestors are still paid: lineage is history, and their owners' rights in what was built on them remain.
contract RoyaltySplitter is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The registry whose lineage and owners this splitter follows.
    AssetRegistry public immutable registry;
    /// @dev The registry's ROYALTY_DEPTH, BPS and MAX_ROYALTY_WALK, read once (constants there, so they never change).
    uint256 private immutable _depth;
    uint256 private immutable _bps;
    uint256 private immutable _maxWalk;

    mapping(IERC20 token => mapping(address account => uint256)) private _balances;

    /// @notice `payer` paid `amount` of `token` to `assetId`; RoyaltyCredited events show where it went.
    event RevenuePaid(uint256 indexed assetId, address indexed payer, address indexed token, uint256 amount);
    /// @notice `account`, owner of `assetId`, was credited `amount` of `token` from a payment to `sourceAssetId`,
    /// `generation` generations below `assetId` (0: the paid asset itself).
    event RoyaltyCredited(
        uint256 indexed assetId,
        address indexed account,
        address indexed token,
        uint256 sourceAssetId,
        uint256 generation,
        uint256 amount
    );
    /// @notice `account` withdrew `amount` of `token` to `to`.
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice An amount of zero was given, or there is nothing to withdraw.
    error ZeroAmount();
    /// @notice The zero address was given as token or recipient.
    error ZeroAddress();
    /// @notice The token delivered a different amount than asked (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @param registry_ the asset registry (lineage, owners)
    constructor(AssetRegistry registry_) {
        if (address(registry_) == address(0)) revert ZeroAddress();
        registry = registry_;
        _depth = registry_.ROYALTY_DEPTH();
        _bps = registry_.BPS();
        _maxWalk = registry_.MAX_ROYALTY_WALK();
    }

    /// @notice Pays `amount` of `token` from the caller (approve this contract first) to `assetId`, split up its
    /// lineage at once.
    function pay(uint256 assetId, IERC20 token, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (address(token) == address(0)) revert ZeroAddress();
        if (!registry.exists(assetId)) revert AssetRegistry.UnknownAsset(assetId);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
        emit RevenuePaid(assetId, msg.sender, address(token), amount);
        _split(assetId, assetId, token, amount, 0);
    }

    /// @notice Sends the caller's whole balance of `token` to `to`.
    /// @return amount what was sent
    function withdraw(IERC20 token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _balances[token][msg.sender];
        if (amount == 0) revert ZeroAmount();
        _balances[token][msg.sender] = 0;
        emit Withdrawn(msg.sender, address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    /// @notice What `account` may withdraw in `token`.
    function balanceOf(IERC20 token, address account) external view returns (uint256) {
        return _balances[token][account];
    }

    /// @notice How a payment of `amount` to `assetId` would be credited, in walk order (the asset's owner last after
    /// its ancestors' subtrees): one entry per visited asset that receives a non-zero amount. Off-chain tools show
    /// this before paying; the test suite checks it against `pay`.
    function preview(uint256 assetId, uint256 amount)
        external
        view
        returns (uint256[] memory assetIds, address[] memory accounts, uint256[] memory amounts)
    {
        if (!registry.exists(assetId)) revert AssetRegistry.UnknownAsset(assetId);
        uint256 cap = _maxWalk;
        assetIds = new uint256[](cap);
        accounts = new address[](cap);
        amounts = new uint256[](cap);
        uint256 n = _previewSplit(assetId, amount, 0, assetIds, accounts, amounts, 0);
        assembly ("memory-safe") {
            mstore(assetIds, n)
            mstore(accounts, n)
            mstore(amounts, n)
        }
    }

    /// @dev Credits `amount` reaching `assetId` in generation `generation`: parents get their shares (recursively while
    /// generations remain), the owner the rest. Recursion depth is at most ROYALTY_DEPTH + 1.
    function _split(uint256 sourceId, uint256 assetId, IERC20 token, uint256 amount, uint256 generation) private {
        uint256 rest = amount;
        if (generation < _depth) {
            AssetRegistry.Parent[] memory parents = registry.parentsOf(assetId);
            for (uint256 i = 0; i < parents.length; ++i) {
                uint256 part = amount * parents[i].shareBps / _bps;
                if (part == 0) continue;
                rest -= part; // shares add up to at most BPS, so this never underflows
                _split(sourceId, parents[i].assetId, token, part, generation + 1);
            }
        }
        if (rest == 0) return;
        address owner = registry.ownerOf(assetId);
        _balances[token][owner] += rest;
        emit RoyaltyCredited(assetId, owner, address(token), sourceId, generation, rest);
    }

    function _previewSplit(
        uint256 assetId,
        uint256 amount,
        uint256 generation,
        uint256[] memory assetIds,
        address[] memory accounts,
        uint256[] memory amounts,
        uint256 n
    ) private view returns (uint256) {
        uint256 rest = amount;
        if (generation < _depth) {
            AssetRegistry.Parent[] memory parents = registry.parentsOf(assetId);
            for (uint256 i = 0; i < parents.length; ++i) {
                uint256 part = amount * parents[i].shareBps / _bps;
                if (part == 0) continue;
                rest -= part;
                n = _previewSplit(parents[i].assetId, part, generation + 1, assetIds, accounts, amounts, n);
            }
        }
        if (rest == 0) return n;
        assetIds[n] = assetId;
        accounts[n] = registry.ownerOf(assetId);
        amounts[n] = rest;
        return n + 1;
    }
}
