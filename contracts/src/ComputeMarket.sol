// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/// @notice What the market asks the contract bound as its verifier.
interface ILeaseVerifier {
    /// @notice The time up to which the lease's work is beyond dispute: pay accrued before it may go to the provider
    /// (0 while a dispute on the lease is open; `type(uint256).max` when all of it is final).
    function finalUntil(uint256 orderId) external view returns (uint256);
}

/// @title ComputeMarket
/// @notice A market for training compute (Akash-like orders, bids and leases, with escrow that streams per second).
/// A tenant posts an order: the content id of a job spec (jobs are data, not code), the resources it needs, the most
/// it pays per hour and a deposit, escrowed at once. Active, staked providers of ProviderRegistry bid a price per hour
/// and the resources they offer (optionally attested by an auditor the tenant names, as an EIP-712 signature). The
/// tenant accepts any bid at any time; once the bid window has passed, anyone may accept the cheapest (earliest among
/// equals). The accepted bid becomes the order's lease: from then on the deposit streams to the provider at the bid's
/// price for every second, settled on every touch (anyone may `settle`; each settlement pays exactly what accrued since
/// the lease began, minus what was already paid, so rounding never drifts). When what accrued reaches the deposit the
/// lease is overdrawn: the next touch pays the provider the rest and closes it in that one event. Either party may
/// close a lease at any time: the provider is paid up to that second and the rest goes back to the tenant. Anyone may
/// add to an order's deposit; only the tenant ever gets deposits back.
/// @dev No owner, no admin, no upgrade (the deployer can only bind the verifier, once). One payment token, fixed at construction (a plain ERC-20: no transfer fees,
/// hooks, blocklists or rebasing). Amounts are at most 2^96 - 1 token units. Every function that moves tokens is
/// nonReentrant, and effects precede transfers. At most MAX_BIDS bids per order, so accepting the cheapest is bounded.
///
/// Auditor attestations are EIP-712 typed data in this contract's domain (name "Hypha ComputeMarket", version "1"):
/// `AuditedResources(address provider,uint32 cores,uint32 memoryMiB,uint32 accelerators,uint64 expiresAt)`; an
/// ERC-1271 auditor contract is accepted.
///
/// Verification of the work (state commitments, replay, disputes and slashing) is TrainingVerifier's; when it proves a
/// provider at fault it calls `closeForFault`, which closes the lease and refunds the tenant. Once a verifier is bound,
/// what a lease pays (`paid`, taken from the escrow per second as before) stays in this contract until the work it paid
/// for is beyond dispute (`ILeaseVerifier.finalUntil`): it is released to the provider on every touch and by `release`.
/// A provider proven at fault forfeits everything not yet released, also after its lease closed, so a lease that ends
/// before its dispute resolves still refunds the tenant.
contract ComputeMarket is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most bids one order takes.
    uint8 public constant MAX_BIDS = 32;
    /// @notice Longest bid window an order may set.
    uint64 public constant MAX_BID_WINDOW = 7 days;
    /// @notice Prices are per hour; escrow streams per second.
    uint256 public constant SECONDS_PER_HOUR = 3600;
    /// @notice EIP-712 type hash of an auditor's attestation of a provider's resources.
    bytes32 public constant AUDITED_RESOURCES_TYPEHASH = keccak256(
        "AuditedResources(address provider,uint32 cores,uint32 memoryMiB,uint32 accelerators,uint64 expiresAt)"
    );

    /// @notice What a job needs, or what a provider offers for it.
    struct Resources {
        uint32 cores;
        uint32 memoryMiB;
        uint32 accelerators;
    }

    enum OrderState {
        None,
        Open,
        Leased,
        Closed,
        Cancelled
    }

    enum CloseReason {
        None,
        Tenant,
        Provider,
        Overdrawn,
        Fault
    }

    /// @notice An order and, once leased, its lease.
    /// @param held the deposit still in escrow (what was paid in, minus what was paid out or refunded)
    /// @param paid what the provider was paid so far (leased and closed orders)
    struct Order {
        address tenant;
        uint64 bidsCloseAt;
        OrderState state;
        uint8 bidCount;
        CloseReason closeReason;
        address auditor;
        Resources needs;
        bytes32 spec;
        uint96 maxPricePerHour;
        uint96 held;
        address provider;
        uint96 pricePerHour;
        uint64 leaseStart;
        uint64 leaseEnd;
        uint96 paid;
    }

    /// @notice A provider's bid on an order.
    struct Bid {
        address provider;
        uint96 pricePerHour;
        Resources offered;
        bool withdrawn;
    }

    /// @notice The provider registry whose active (staked) providers may bid.
    ProviderRegistry public immutable registry;
    /// @notice The token deposits and payments are in.
    IERC20 public immutable token;

    /// @notice The contract that proves a provider's fault (TrainingVerifier) and may then close its lease with the
    /// escrow refunded; bound once by the deployer (zero until then), never changed after.
    address public verifier;
    address private immutable _deployer;

    uint256 private _nextId = 1;
    mapping(uint256 orderId => Order) private _orders;
    mapping(uint256 orderId => Bid[]) private _bids;
    mapping(uint256 orderId => mapping(address provider => bool)) private _hasBid;
    /// @dev What each lease's provider has received of `paid` (the rest is held here until it is final).
    mapping(uint256 orderId => uint256) private _released;

    /// @notice `tenant` posted order `orderId` for the job spec `spec` and escrowed `deposit`.
    event OrderCreated(
        uint256 indexed orderId,
        address indexed tenant,
        bytes32 indexed spec,
        uint32 cores,
        uint32 memoryMiB,
        uint32 accelerators,
        uint256 maxPricePerHour,
        uint256 deposit,
        uint64 bidsCloseAt,
        address auditor
    );
    /// @notice `provider` bid `pricePerHour` with the resources it offers.
    event BidPlaced(
        uint256 indexed orderId,
        address indexed provider,
        uint256 bidIndex,
        uint256 pricePerHour,
        uint32 cores,
        uint32 memoryMiB,
        uint32 accelerators
    );
    /// @notice `provider` took back its bid.
    event BidWithdrawn(uint256 indexed orderId, address indexed provider, uint256 bidIndex);
    /// @notice The bid of `provider` became the order's lease, streaming from `start`.
    event LeaseCreated(uint256 indexed orderId, address indexed provider, uint256 pricePerHour, uint64 start);
    /// @notice `from` added `amount`; `held` is now in escrow.
    event DepositAdded(uint256 indexed orderId, address indexed from, uint256 amount, uint256 held);
    /// @notice The provider was paid `amount`; `paid` in total, `held` left in escrow.
    event LeaseSettled(uint256 indexed orderId, uint256 amount, uint256 paid, uint256 held);
    /// @notice The lease ended at `end` for `reason`: the provider got `paid` in total, the tenant `refunded` back.
    event LeaseClosed(uint256 indexed orderId, CloseReason reason, uint64 end, uint256 paid, uint256 refunded);
    /// @notice The tenant withdrew an order nobody leased; `refunded` went back.
    event OrderCancelled(uint256 indexed orderId, uint256 refunded);
    /// @notice `verifier` may from now on close leases whose provider it proved at fault.
    event VerifierBound(address verifier);
    /// @notice `amount` of what the lease paid went to its provider (`released` in all so far).
    event PayReleased(uint256 indexed orderId, address indexed provider, uint256 amount, uint256 released);
    /// @notice A lease that had already closed was proven at fault: what it paid but had not released went back.
    event ClosedLeaseFaulted(uint256 indexed orderId, uint256 refunded);

    error InvalidSpec();
    error InvalidPrice(uint256 price, uint256 limit);
    error InvalidDeposit();
    error InvalidBidWindow(uint64 window, uint64 limit);
    error AmountTooLarge(uint256 amount);
    error UnknownOrder(uint256 orderId);
    error WrongState(uint256 orderId, OrderState state);
    error NotTenant(uint256 orderId, address caller);
    error NotParty(uint256 orderId, address caller);
    error BiddingClosed(uint256 orderId, uint64 bidsCloseAt);
    error BiddingOpen(uint256 orderId, uint64 bidsCloseAt);
    error TooManyBids(uint256 orderId);
    error AlreadyBid(uint256 orderId, address provider);
    error NoSuchBid(uint256 orderId, uint256 bidIndex);
    error NotBidder(uint256 orderId, uint256 bidIndex, address caller);
    error InactiveProvider(address provider);
    error InsufficientResources(uint256 orderId);
    error InvalidAttestation(uint256 orderId, address auditor);
    error NoAcceptableBid(uint256 orderId);
    error LeaseOverdrawn(uint256 orderId);
    error UnsupportedToken(uint256 received, uint256 expected);
    error NotVerifier(address caller);
    error VerifierAlreadyBound(address verifier);

    constructor(ProviderRegistry registry_, IERC20 token_) EIP712("Hypha ComputeMarket", "1") {
        registry = registry_;
        token = token_;
        _deployer = msg.sender;
    }

    // ----------------------------------------------------------------------------------------------
    // Verification hook
    // ----------------------------------------------------------------------------------------------

    /// @notice Binds the contract that proves providers' faults. Only the deployer, only once (the deployment does it
    /// right after deploying the verifier, which needs this contract's address first).
    function bindVerifier(address verifier_) external {
        if (msg.sender != _deployer) revert NotVerifier(msg.sender);
        if (verifier != address(0)) revert VerifierAlreadyBound(verifier);
        if (verifier_ == address(0)) revert NotVerifier(verifier_);
        verifier = verifier_;
        emit VerifierBound(verifier_);
    }

    /// @notice The verifier proved the provider of `orderId` at fault: a running lease closes now, the provider keeps
    /// what was already released to it but is paid nothing more, and the whole escrow still held plus everything paid
    /// but not released goes back to the tenant. A lease that had already closed (the job ended before the dispute did)
    /// refunds what it paid but had not released, and its close reason becomes `Fault` (also when nothing is left to
    /// refund, so `Fault` always means the provider lost a dispute). Orders never leased are left as they are.
    /// @return refunded what went back to the tenant
    function closeForFault(uint256 orderId) external nonReentrant returns (uint256 refunded) {
        if (msg.sender != verifier || msg.sender == address(0)) revert NotVerifier(msg.sender);
        Order storage o = _order(orderId);
        uint256 released = _released[orderId];
        uint256 unreleased = o.paid - released;
        if (o.state == OrderState.Closed && o.closeReason != CloseReason.Fault) {
            // forge-lint: disable-next-line(unsafe-typecast)
            o.paid = uint96(released); // released <= paid, a uint96
            o.closeReason = CloseReason.Fault; // so the tenant (and anyone) sees the provider lost
            emit ClosedLeaseFaulted(orderId, unreleased);
            if (unreleased != 0) token.safeTransfer(o.tenant, unreleased);
            return unreleased;
        }
        if (o.state != OrderState.Leased) return 0;
        refunded = uint256(o.held) + unreleased;
        o.held = 0;
        // forge-lint: disable-next-line(unsafe-typecast)
        o.paid = uint96(released); // released <= paid, a uint96
        o.state = OrderState.Closed;
        o.closeReason = CloseReason.Fault;
        o.leaseEnd = uint64(block.timestamp);
        emit LeaseClosed(orderId, CloseReason.Fault, uint64(block.timestamp), o.paid, refunded);
        if (refunded != 0) token.safeTransfer(o.tenant, refunded);
    }

    // ----------------------------------------------------------------------------------------------
    // Tenant
    // ----------------------------------------------------------------------------------------------

    /// @notice Posts an order and escrows `deposit` from the caller (approve first).
    /// @param spec the job spec's content-id digest (what the provider will run)
    /// @param needs the resources the job needs; bids must offer at least these
    /// @param maxPricePerHour the most the tenant pays per hour
    /// @param deposit escrowed now; the lease streams from it
    /// @param bidWindow seconds from now during which providers may bid (at most MAX_BID_WINDOW)
    /// @param auditor when not zero, bids must carry this auditor's attestation of the resources they offer
    /// @return orderId the new order's id (ids count up from 1)
    function createOrder(
        bytes32 spec,
        Resources calldata needs,
        uint256 maxPricePerHour,
        uint256 deposit,
        uint64 bidWindow,
        address auditor
    ) external nonReentrant returns (uint256 orderId) {
        if (spec == bytes32(0)) revert InvalidSpec();
        if (maxPricePerHour == 0 || maxPricePerHour > type(uint96).max) {
            revert InvalidPrice(maxPricePerHour, type(uint96).max);
        }
        if (deposit == 0) revert InvalidDeposit();
        if (deposit > type(uint96).max) revert AmountTooLarge(deposit);
        if (bidWindow == 0 || bidWindow > MAX_BID_WINDOW) revert InvalidBidWindow(bidWindow, MAX_BID_WINDOW);

        orderId = _nextId++;
        uint64 bidsCloseAt = uint64(block.timestamp) + bidWindow;
        Order storage o = _orders[orderId];
        o.tenant = msg.sender;
        o.bidsCloseAt = bidsCloseAt;
        o.state = OrderState.Open;
        o.auditor = auditor;
        o.needs = needs;
        o.spec = spec;
        // forge-lint: disable-next-line(unsafe-typecast)
        o.maxPricePerHour = uint96(maxPricePerHour); // checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        o.held = uint96(deposit); // checked above
        emit OrderCreated(
            orderId,
            msg.sender,
            spec,
            needs.cores,
            needs.memoryMiB,
            needs.accelerators,
            maxPricePerHour,
            deposit,
            bidsCloseAt,
            auditor
        );
        _pull(deposit);
    }

    /// @notice Withdraws an order nobody leased and returns its whole deposit to the tenant.
    function cancelOrder(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (msg.sender != o.tenant) revert NotTenant(orderId, msg.sender);
        if (o.state != OrderState.Open) revert WrongState(orderId, o.state);
        uint256 refund = o.held;
        o.state = OrderState.Cancelled;
        o.held = 0;
        emit OrderCancelled(orderId, refund);
        token.safeTransfer(o.tenant, refund);
    }

    /// @notice The tenant accepts the bid at `bidIndex`, at any time while the order is open.
    function acceptBid(uint256 orderId, uint256 bidIndex) external nonReentrant {
        Order storage o = _order(orderId);
        if (msg.sender != o.tenant) revert NotTenant(orderId, msg.sender);
        if (o.state != OrderState.Open) revert WrongState(orderId, o.state);
        if (bidIndex >= _bids[orderId].length) revert NoSuchBid(orderId, bidIndex);
        Bid storage b = _bids[orderId][bidIndex];
        if (b.withdrawn) revert NoSuchBid(orderId, bidIndex);
        if (!registry.isActive(b.provider)) revert InactiveProvider(b.provider);
        _lease(orderId, o, b);
    }

    /// @notice Once the bid window has passed, anyone may lease the order to its cheapest bid from a provider that
    /// is still active (the earliest among equal prices).
    function acceptCheapest(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != OrderState.Open) revert WrongState(orderId, o.state);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < o.bidsCloseAt) revert BiddingOpen(orderId, o.bidsCloseAt);
        Bid[] storage bids = _bids[orderId];
        uint256 best = type(uint256).max;
        for (uint256 i = 0; i < bids.length; ++i) {
            Bid storage b = bids[i];
            if (b.withdrawn || (best != type(uint256).max && b.pricePerHour >= bids[best].pricePerHour)) continue;
            if (registry.isActive(b.provider)) best = i;
        }
        if (best == type(uint256).max) revert NoAcceptableBid(orderId);
        _lease(orderId, o, bids[best]);
    }

    /// @notice Adds `amount` (from the caller) to an open order or a running lease. A lease is settled first; one
    /// whose deposit is already used up cannot be revived (settle closes it).
    function addDeposit(uint256 orderId, uint256 amount) external nonReentrant {
        Order storage o = _order(orderId);
        if (amount == 0) revert InvalidDeposit();
        if (o.state == OrderState.Leased) {
            if (_settle(orderId, o)) revert LeaseOverdrawn(orderId);
        } else if (o.state != OrderState.Open) {
            revert WrongState(orderId, o.state);
        }
        uint256 held = uint256(o.held) + amount;
        if (held + o.paid > type(uint96).max) revert AmountTooLarge(held);
        // forge-lint: disable-next-line(unsafe-typecast)
        o.held = uint96(held); // held + paid <= 2^96 - 1, checked above
        emit DepositAdded(orderId, msg.sender, amount, held);
        _pull(amount);
    }

    // ----------------------------------------------------------------------------------------------
    // Provider
    // ----------------------------------------------------------------------------------------------

    /// @notice Bids on an open order (once per provider per order), while its bid window lasts.
    /// @param attestation the order's auditor's EIP-712 signature of `offered` for the caller; empty when the order
    /// names no auditor
    /// @param attestationExpiresAt when the attestation stops being valid (signed with it)
    function bid(
        uint256 orderId,
        uint256 pricePerHour,
        Resources calldata offered,
        bytes calldata attestation,
        uint64 attestationExpiresAt
    ) external nonReentrant returns (uint256 bidIndex) {
        Order storage o = _order(orderId);
        if (o.state != OrderState.Open) revert WrongState(orderId, o.state);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= o.bidsCloseAt) revert BiddingClosed(orderId, o.bidsCloseAt);
        if (pricePerHour == 0 || pricePerHour > o.maxPricePerHour) revert InvalidPrice(pricePerHour, o.maxPricePerHour);
        if (!registry.isActive(msg.sender)) revert InactiveProvider(msg.sender);
        if (_hasBid[orderId][msg.sender]) revert AlreadyBid(orderId, msg.sender);
        if (o.bidCount >= MAX_BIDS) revert TooManyBids(orderId);
        Resources memory needs = o.needs;
        if (offered.cores < needs.cores || offered.memoryMiB < needs.memoryMiB || offered.accelerators < needs.accelerators)
        {
            revert InsufficientResources(orderId);
        }
        if (o.auditor != address(0)) {
            // forge-lint: disable-next-line(block-timestamp)
            bool fresh = attestationExpiresAt > block.timestamp;
            if (!fresh || !SignatureChecker.isValidSignatureNow(
                    o.auditor, attestationDigest(msg.sender, offered, attestationExpiresAt), attestation
                )) {
                revert InvalidAttestation(orderId, o.auditor);
            }
        }
        bidIndex = _bids[orderId].length;
        // forge-lint: disable-next-line(unsafe-typecast)
        uint96 price = uint96(pricePerHour); // <= maxPricePerHour, a uint96 (checked above)
        _bids[orderId].push(Bid({provider: msg.sender, pricePerHour: price, offered: offered, withdrawn: false}));
        _hasBid[orderId][msg.sender] = true;
        o.bidCount += 1;
        emit BidPlaced(
            orderId, msg.sender, bidIndex, pricePerHour, offered.cores, offered.memoryMiB, offered.accelerators
        );
    }

    /// @notice Takes back a bid on an order not yet leased.
    function withdrawBid(uint256 orderId, uint256 bidIndex) external {
        Order storage o = _order(orderId);
        if (o.state != OrderState.Open) revert WrongState(orderId, o.state);
        if (bidIndex >= _bids[orderId].length) revert NoSuchBid(orderId, bidIndex);
        Bid storage b = _bids[orderId][bidIndex];
        if (b.provider != msg.sender) revert NotBidder(orderId, bidIndex, msg.sender);
        if (b.withdrawn) revert NoSuchBid(orderId, bidIndex);
        b.withdrawn = true;
        emit BidWithdrawn(orderId, msg.sender, bidIndex);
    }

    // ----------------------------------------------------------------------------------------------
    // Either party, or anyone
    // ----------------------------------------------------------------------------------------------

    /// @notice Pays the provider what the lease accrued so far; closes it when the deposit is used up. Anyone may
    /// call it (the provider's node does, and any touch of the lease does too).
    /// @return closed whether the lease was overdrawn and is now closed
    function settle(uint256 orderId) external nonReentrant returns (bool closed) {
        Order storage o = _order(orderId);
        if (o.state != OrderState.Leased) revert WrongState(orderId, o.state);
        closed = _settle(orderId, o);
    }

    /// @notice Ends a lease now (tenant or provider): the provider is paid up to this second, the rest goes back to
    /// the tenant.
    function closeLease(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != OrderState.Leased) revert WrongState(orderId, o.state);
        CloseReason reason;
        if (msg.sender == o.tenant) {
            reason = CloseReason.Tenant;
        } else if (msg.sender == o.provider) {
            reason = CloseReason.Provider;
        } else {
            revert NotParty(orderId, msg.sender);
        }
        if (_settle(orderId, o)) return; // the deposit ran out first: closed as overdrawn, nothing left to refund
        uint256 refund = o.held;
        o.held = 0;
        o.state = OrderState.Closed;
        o.closeReason = reason;
        o.leaseEnd = uint64(block.timestamp);
        emit LeaseClosed(orderId, reason, uint64(block.timestamp), o.paid, refund);
        if (refund != 0) token.safeTransfer(o.tenant, refund);
    }

    /// @notice Pays the provider what its lease paid and is now beyond dispute (a running lease is settled first).
    /// Anyone may call it; the provider's node does after a lease closes.
    /// @return amount what went to the provider now
    function release(uint256 orderId) external nonReentrant returns (uint256 amount) {
        Order storage o = _order(orderId);
        if (o.state == OrderState.Leased) {
            uint256 before = _released[orderId];
            _settle(orderId, o);
            return _released[orderId] - before;
        }
        if (o.state != OrderState.Closed) revert WrongState(orderId, o.state);
        amount = _release(orderId, o);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice What the provider of `orderId` has received so far (`paid` less what is held until it is final).
    function released(uint256 orderId) external view returns (uint256) {
        return _released[orderId];
    }

    /// @notice What `release` would pay the provider now: what the lease paid for time up to the verifier's
    /// `finalUntil` (all of `paid` when no verifier is bound), less what was released.
    function releasable(uint256 orderId) public view returns (uint256) {
        Order storage o = _orders[orderId];
        if (o.state != OrderState.Leased && o.state != OrderState.Closed) return 0;
        if (o.closeReason == CloseReason.Fault) return 0;
        uint256 cap = o.paid;
        if (verifier != address(0)) {
            uint256 until = ILeaseVerifier(verifier).finalUntil(orderId);
            if (until != type(uint256).max) {
                uint256 accrued = until <= o.leaseStart ? 0 : _accrued(o, until);
                if (accrued < cap) cap = accrued;
            }
        }
        uint256 done = _released[orderId];
        return cap > done ? cap - done : 0;
    }

    function getOrder(uint256 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    function getBids(uint256 orderId) external view returns (Bid[] memory) {
        return _bids[orderId];
    }

    /// @notice The id the next order gets.
    function nextOrderId() external view returns (uint256) {
        return _nextId;
    }

    /// @notice What a running lease owes its provider right now (what `settle` would pay, capped by the escrow).
    function owed(uint256 orderId) external view returns (uint256) {
        Order storage o = _orders[orderId];
        if (o.state != OrderState.Leased) return 0;
        uint256 due = _accrued(o, block.timestamp) - o.paid;
        return due < o.held ? due : o.held;
    }

    /// @notice The first second at which a running lease's escrow is used up (the provider stops working then unless
    /// someone adds to the deposit); 0 for an order that is not leased.
    function fundedUntil(uint256 orderId) external view returns (uint64) {
        Order storage o = _orders[orderId];
        if (o.state != OrderState.Leased) return 0;
        uint256 total = uint256(o.paid) + o.held;
        uint256 secondsFunded = (total * SECONDS_PER_HOUR + o.pricePerHour - 1) / o.pricePerHour;
        uint256 end = o.leaseStart + secondsFunded;
        // forge-lint: disable-next-line(unsafe-typecast)
        return end > type(uint64).max ? type(uint64).max : uint64(end); // capped
    }

    /// @notice The EIP-712 digest an auditor signs to attest that `provider` offers `offered` until `expiresAt`.
    function attestationDigest(address provider, Resources calldata offered, uint64 expiresAt)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    AUDITED_RESOURCES_TYPEHASH,
                    provider,
                    offered.cores,
                    offered.memoryMiB,
                    offered.accelerators,
                    expiresAt
                )
            )
        );
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _order(uint256 orderId) private view returns (Order storage o) {
        o = _orders[orderId];
        if (o.state == OrderState.None) revert UnknownOrder(orderId);
    }

    function _lease(uint256 orderId, Order storage o, Bid storage b) private {
        o.state = OrderState.Leased;
        o.provider = b.provider;
        o.pricePerHour = b.pricePerHour;
        o.leaseStart = uint64(block.timestamp);
        emit LeaseCreated(orderId, b.provider, b.pricePerHour, uint64(block.timestamp));
    }

    /// @dev What the lease accrued from its start until `until`, rounded down (computed from the start every time, so
    /// the provider is paid exactly floor(price * seconds / 3600) in total whatever the settlement pattern).
    function _accrued(Order storage o, uint256 until) private view returns (uint256) {
        return uint256(o.pricePerHour) * (until - o.leaseStart) / SECONDS_PER_HOUR;
    }

    /// @dev Pays what accrued; when it reaches the escrow, pays all of it and closes the lease as overdrawn.
    function _settle(uint256 orderId, Order storage o) private returns (bool overdrawn) {
        uint256 due = _accrued(o, block.timestamp) - o.paid;
        uint256 held = o.held;
        overdrawn = due >= held;
        uint256 pay = overdrawn ? held : due;
        // pay <= held, and paid + held never exceeds 2^96 - 1 (every deposit is checked), so neither truncates
        // forge-lint: disable-next-line(unsafe-typecast)
        o.paid += uint96(pay);
        // forge-lint: disable-next-line(unsafe-typecast)
        o.held = uint96(held - pay);
        if (overdrawn) {
            o.state = OrderState.Closed;
            o.closeReason = CloseReason.Overdrawn;
            o.leaseEnd = uint64(block.timestamp);
        }
        if (overdrawn) {
            emit LeaseClosed(orderId, CloseReason.Overdrawn, uint64(block.timestamp), o.paid, 0); // one event for it all
        } else if (pay != 0) {
            emit LeaseSettled(orderId, pay, o.paid, o.held);
        }
        _release(orderId, o);
    }

    /// @dev Sends the provider what is releasable now.
    function _release(uint256 orderId, Order storage o) private returns (uint256 amount) {
        amount = releasable(orderId);
        if (amount == 0) return 0;
        uint256 total = _released[orderId] + amount;
        _released[orderId] = total;
        emit PayReleased(orderId, o.provider, amount, total);
        token.safeTransfer(o.provider, amount);
    }

    /// @dev Pulls exactly `amount` from the caller; a token that delivers another amount is refused.
    function _pull(uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }
}
