// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

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
/// @dev Accounting with an accumulator per subnet (like reward-per-share): `accPerSubnet` grows by each accrual's
/// scheduled emission divided by the subnet count (rounded down); a subnet's entitlement is the growth since its
/// last cut. So assigned ≤ scheduled always, and paid ≤ assigned is checked on every payment.
contract SubnetEmissions {
    /// @notice Share of a subnet's emission that goes to its owner, in basis points (Bittensor: 18 %).
    uint256 public constant OWNER_BPS = 1_800;
    uint256 public constant BPS = 10_000;
    /// @notice Halvings after which the rate is taken as 0 (the shift would leave nothing anyway).
    uint256 public constant MAX_HALVINGS = 128;

    IHypMinter public immutable hyp;
    ISubnetRegistryView public immutable registry;
    uint64 public immutable genesisBlock;
    uint256 public immutable initialRate;
    uint64 public immutable halvingInterval;

    uint256 public accPerSubnet;
    uint64 public lastAccrualBlock;
    uint256 public subnets;
    /// @notice Emission assigned to subnets so far (≤ the schedule).
    uint256 public assigned;
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

    error NotRegistry(address caller);
    error NotEpochs(address caller);
    error NotOwner(address caller, address owner);
    error NothingOwed(uint256 netuid);
    error OverEntitlement(uint256 requested, uint256 available);
    error BadSchedule();

    /// @param hyp_ HyphaToken (this contract needs its MINTER_ROLE before anything can be claimed)
    /// @param registry_ SubnetRegistry (tells subnets' creations and epoch closes)
    /// @param initialRate_ wei emitted per block before the first halving
    /// @param halvingInterval_ blocks between halvings
    constructor(IHypMinter hyp_, ISubnetRegistryView registry_, uint256 initialRate_, uint64 halvingInterval_) {
        if (halvingInterval_ == 0 || initialRate_ > 1e30) revert BadSchedule();
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
            acc += scheduledBetween(lastAccrualBlock, block.number) / subnets;
        }
        return acc - debtOf[netuid];
    }

    function _accrue() private {
        if (block.number <= lastAccrualBlock) return;
        if (subnets > 0) {
            uint256 perSubnet = scheduledBetween(lastAccrualBlock, block.number) / subnets;
            accPerSubnet += perSubnet;
            assigned += perSubnet * subnets;
        }
        lastAccrualBlock = uint64(block.number);
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
        return paidToEpochs + paidToOwners;
    }
}
