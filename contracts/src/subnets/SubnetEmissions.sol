// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @notice HyphaToken's minting entry (MINTER_ROLE, granted to this contract by governance).
interface IHypMinter {
    function mint(address to, uint256 amount) external;
}

/// @notice The registry's side SubnetEmissions reads.
interface ISubnetRegistryView {
    function epochs() external view returns (address);
    function subnetOwner(uint256 netuid) external view returns (address);
}

/// @title SubnetEmissions
/// @notice HYP emitted per block on a halving schedule (Bittensor's shape: `initialRate` per block, halved every
/// `halvingInterval` blocks), shared equally by the subnets that exist while it accrues. Each subnet's share is cut
/// when its epoch closes: 18 % to the subnet owner, 82 % to the epoch's pool, which SubnetEpochs pays to miners and
/// validators by Yuma consensus (its 50/50 incentive/dividend split makes Bittensor's 18/41/41). Nothing is minted
/// ahead: recipients pull, and only then is HYP minted to them (so the token needs MINTER_ROLE only for claims, and
/// emissions of blocks with no subnet are never minted).
/// App share (issue 15): once governance binds the app recipient (EmissionAuction, which sells it for the payment
/// token and funds AppRewards with the proceeds), `appShareBps` of every block's scheduled emission accrues to it
/// instead of the subnets, whether or not subnets exist; the subnets share the rest. Governance (the timelock, as the
/// default admin) sets the share within [0, MAX_APP_SHARE_BPS]; a change applies from the block it is made. Governance
/// also binds the recipient and may rebind it (a faulty auction is replaced): a rebind first mints what accrued to the
/// old recipient to it, so it never moves what accrued before it.
/// @dev Accounting with an accumulator per subnet (like reward-per-share): `accPerSubnet` grows by each accrual's
/// scheduled emission less the app share (rounded down), divided by the subnet count (rounded down); a subnet's
/// entitlement is the growth since its last cut. So apps + subnets ≤ scheduled always (the rounding dust is never
/// assigned, as before), and paid ≤ assigned is checked on every payment.
contract SubnetEmissions is AccessControlDefaultAdminRules {
    /// @notice Share of a subnet's emission that goes to its owner, in basis points (Bittensor: 18 %).
    uint256 public constant OWNER_BPS = 1_800;
    uint256 public constant BPS = 10_000;
    /// @notice Halvings after which the rate is taken as 0 (the shift would leave nothing anyway).
    uint256 public constant MAX_HALVINGS = 128;
    /// @notice Largest share of the emission governance may give the apps (20 %): the subnets keep at least 80 %.
    uint256 public constant MAX_APP_SHARE_BPS = 2_000;

    IHypMinter public immutable hyp;
    ISubnetRegistryView public immutable registry;
    uint64 public immutable genesisBlock;
    uint256 public immutable initialRate;
    uint64 public immutable halvingInterval;

    /// @notice Where the app share is minted (EmissionAuction); address(0) until governance binds it, and until
    /// then nothing accrues to apps.
    address public appRecipient;
    /// @notice Share of each block's scheduled emission that accrues to the app recipient (basis points).
    uint16 public appShareBps;

    uint256 public accPerSubnet;
    uint64 public lastAccrualBlock;
    uint256 public subnets;
    /// @notice Emission assigned so far, to subnets and apps (≤ the schedule).
    uint256 public assigned;
    /// @notice Part of `assigned` given to the app recipient, and how much of it was minted to it.
    uint256 public assignedToApps;
    uint256 public paidToApps;
    /// @notice Part of `paidToApps` minted to each recipient (so a recipient counts what it got however the mint
    /// was triggered: by itself, by anyone's `claimApps`, or by a rebind).
    mapping(address recipient => uint256) public appsPaidTo;
    /// @notice Part of `assigned` given to epoch pools, and how much of it was paid.
    uint256 public assignedToEpochs;
    uint256 public paidToEpochs;
    /// @notice Part of `assigned` owed to owners, and how much of it was paid.
    uint256 public assignedToOwners;
    uint256 public paidToOwners;

    mapping(uint256 netuid => uint256) public debtOf;
    mapping(uint256 netuid => uint256) public ownerOwed;

    event OwnerCut(uint256 indexed netuid, uint256 ownerShare, uint256 pool);
    event OwnerClaimed(uint256 indexed netuid, address indexed owner, uint256 amount);
    event EpochPaid(address indexed to, uint256 amount);
    event AppRecipientBound(address indexed recipient);
    event AppShareSet(uint256 appShareBps);
    event AppsPaid(address indexed to, uint256 amount);

    error NotRegistry(address caller);
    error NotEpochs(address caller);
    error NotOwner(address caller, address owner);
    error NothingOwed(uint256 netuid);
    error OverEntitlement(uint256 requested, uint256 available);
    error BadSchedule();
    error BadAppShare(uint256 appShareBps, uint256 max);
    error AlreadyBound(address recipient);
    error ZeroRecipient();

    /// @param hyp_ HyphaToken (this contract needs its MINTER_ROLE before anything can be claimed)
    /// @param registry_ SubnetRegistry (tells subnets' creations and epoch closes)
    /// @param initialRate_ wei emitted per block before the first halving
    /// @param halvingInterval_ blocks between halvings
    /// @param admin governance (the timelock): sets the app share and binds its recipient
    /// @param adminDelay delay of a two-step admin hand-over (AccessControlDefaultAdminRules)
    /// @param appShareBps_ the app share once an app recipient is bound (≤ MAX_APP_SHARE_BPS)
    constructor(IHypMinter hyp_, ISubnetRegistryView registry_, uint256 initialRate_, uint64 halvingInterval_,
        address admin, uint48 adminDelay, uint16 appShareBps_) AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (halvingInterval_ == 0 || initialRate_ > 1e30) revert BadSchedule();
        if (appShareBps_ > MAX_APP_SHARE_BPS) revert BadAppShare(appShareBps_, MAX_APP_SHARE_BPS);
        appShareBps = appShareBps_;
        hyp = hyp_;
        registry = registry_;
        initialRate = initialRate_;
        halvingInterval = halvingInterval_;
        genesisBlock = uint64(block.number);
        lastAccrualBlock = uint64(block.number);
    }

    /// @notice Emission per block at `blockNumber`.
    function rateAt(uint256 blockNumber) public view returns (uint256) {
        if (blockNumber < genesisBlock) return 0;
        uint256 halvings = (blockNumber - genesisBlock) / halvingInterval;
        return halvings >= MAX_HALVINGS ? 0 : initialRate >> halvings;
    }

    /// @notice Total emission the schedule allows for blocks [genesis, toBlock).
    function scheduledUntil(uint256 toBlock) public view returns (uint256 total) {
        if (toBlock <= genesisBlock) return 0;
        uint256 elapsed = toBlock - genesisBlock;
        uint256 fullEras = elapsed / halvingInterval;
        uint256 eras = fullEras > MAX_HALVINGS ? MAX_HALVINGS : fullEras;
        for (uint256 e; e < eras; ++e) {
            total += (initialRate >> e) * halvingInterval;
        }
        if (fullEras < MAX_HALVINGS) total += (initialRate >> fullEras) * (elapsed % halvingInterval);
    }

    /// @notice The schedule's emission for blocks [fromBlock, toBlock).
    function scheduledBetween(uint256 fromBlock, uint256 toBlock) public view returns (uint256) {
        return scheduledUntil(toBlock) - scheduledUntil(fromBlock);
    }

    /// @notice What a subnet would get if its epoch closed now (owner share included).
    function pendingOf(uint256 netuid) external view returns (uint256) {
        uint256 acc = accPerSubnet;
        if (block.number > lastAccrualBlock && subnets > 0) {
            (uint256 toApps, uint256 scheduled) = _split();
            acc += (scheduled - toApps) / subnets;
        }
        return acc - debtOf[netuid];
    }

    /// @notice What `claimApps` would mint to the app recipient now.
    function appsOwed() public view returns (uint256) {
        uint256 toApps;
        if (block.number > lastAccrualBlock) (toApps,) = _split();
        return assignedToApps + toApps - paidToApps;
    }

    /// @dev The schedule's emission since the last accrual and the apps' part of it (rounded down).
    function _split() private view returns (uint256 toApps, uint256 scheduled) {
        scheduled = scheduledBetween(lastAccrualBlock, block.number);
        if (appRecipient != address(0)) toApps = scheduled * appShareBps / BPS;
    }

    function _accrue() private {
        if (block.number <= lastAccrualBlock) return;
        (uint256 toApps, uint256 scheduled) = _split();
        if (toApps != 0) {
            assignedToApps += toApps;
            assigned += toApps;
        }
        if (subnets > 0) {
            uint256 perSubnet = (scheduled - toApps) / subnets;
            accPerSubnet += perSubnet;
            assigned += perSubnet * subnets;
        }
        lastAccrualBlock = uint64(block.number);
    }

    /// @notice Governance binds (or rebinds) the app recipient: the app share accrues to it from this block on.
    /// Blocks before a first binding stay the subnets'; on a rebind what accrued to the old recipient is minted to it
    /// first, so the new one gets only what accrues from now on.
    function bindApps(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroRecipient();
        address old = appRecipient;
        if (recipient == old) revert AlreadyBound(old);
        _accrue();
        if (old != address(0)) _payApps(old);
        appRecipient = recipient;
        emit AppRecipientBound(recipient);
    }

    /// @notice Governance sets the app share; blocks before this one keep the share they accrued under.
    function setAppShare(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_APP_SHARE_BPS) revert BadAppShare(bps, MAX_APP_SHARE_BPS);
        _accrue();
        appShareBps = bps;
        emit AppShareSet(bps);
    }

    /// @notice Mints the app recipient's accrued share to it (anyone may call; it only ever goes to the recipient).
    /// @return amount minted (0 when nothing is owed)
    function claimApps() external returns (uint256 amount) {
        _accrue();
        return _payApps(appRecipient);
    }

    /// @dev Mints everything assigned to apps and not yet paid to `to` (the recipient it accrued under).
    function _payApps(address to) private returns (uint256 amount) {
        amount = assignedToApps - paidToApps;
        if (amount == 0) return 0;
        paidToApps += amount;
        appsPaidTo[to] += amount;
        hyp.mint(to, amount);
        emit AppsPaid(to, amount);
    }

    /// @notice The registry tells a new subnet: it shares emission from this block on.
    function subnetCreated(uint256 netuid) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        _accrue();
        debtOf[netuid] = accPerSubnet;
        ++subnets;
    }

    /// @notice The registry closes an epoch: the subnet's share since its last close is cut between its owner and
    /// the epoch's pool.
    /// @return pool the epoch's pool (wei) for miners and validators
    function closeEpoch(uint256 netuid) external returns (uint256 pool) {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        _accrue();
        uint256 amount = accPerSubnet - debtOf[netuid];
        debtOf[netuid] = accPerSubnet;
        uint256 ownerShare = amount * OWNER_BPS / BPS;
        pool = amount - ownerShare;
        ownerOwed[netuid] += ownerShare;
        assignedToOwners += ownerShare;
        assignedToEpochs += pool;
        emit OwnerCut(netuid, ownerShare, pool);
    }

    /// @notice The subnet owner pulls its accumulated share (minted to it now).
    function claimOwner(uint256 netuid) external returns (uint256 amount) {
        address owner = registry.subnetOwner(netuid);
        if (msg.sender != owner) revert NotOwner(msg.sender, owner);
        amount = ownerOwed[netuid];
        if (amount == 0) revert NothingOwed(netuid);
        ownerOwed[netuid] = 0;
        paidToOwners += amount;
        hyp.mint(owner, amount);
        emit OwnerClaimed(netuid, owner, amount);
    }

    /// @notice SubnetEpochs pays a miner's or validator's claim from the epoch pools (minted to it now).
    function payEpoch(address to, uint256 amount) external {
        if (msg.sender != registry.epochs()) revert NotEpochs(msg.sender);
        uint256 available = assignedToEpochs - paidToEpochs;
        if (amount > available) revert OverEntitlement(amount, available);
        paidToEpochs += amount;
        hyp.mint(to, amount);
        emit EpochPaid(to, amount);
    }

    /// @notice Everything ever minted by this contract.
    function minted() external view returns (uint256) {
        return paidToEpochs + paidToOwners + paidToApps;
    }
}
