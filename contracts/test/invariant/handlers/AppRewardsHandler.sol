// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {AppRewards} from "../../../src/apps/AppRewards.sol";

/// @notice Random app lives: an honest creator used by honest payers, and a wash trader who controls two apps, a
/// provider and two sybil payers and pays itself in every combination (own app, ring, sybils, its own provider);
/// sponsors fund the pool, time passes, anyone claims. Ghost books record everything paid and claimed.
contract AppRewardsHandler is HyphaTest {
    uint256 public constant INITIAL = 1_000_000_000e6;

    PaymentToken public immutable usd;
    AppRewards public immutable apps;
    address public immutable honestCreator;
    address public immutable honestProvider;
    address[2] public honestPayers;
    /// @dev Everything the wash trader controls: two creators (apps 1 and 2), a provider, two sybil payers.
    address[5] public wash;
    uint256 public honestApp;
    uint256[2] public washApps;

    uint256 public ghostFunded;
    uint256 public ghostClaimed;
    uint256 public ghostWashPaid;
    mapping(uint256 epoch => mapping(uint256 appId => bool)) public ghostClaimedOnce;

    constructor(PaymentToken usd_, AppRewards apps_) {
        usd = usd_;
        apps = apps_;
        honestCreator = makeAddr("honestCreator");
        honestProvider = makeAddr("honestProvider");
        honestPayers = [makeAddr("payer0"), makeAddr("payer1")];
        wash = [makeAddr("washCreatorA"), makeAddr("washCreatorB"), makeAddr("washProvider"), makeAddr("sybil0"),
            makeAddr("sybil1")];
    }

    function init() external {
        for (uint256 i; i < 2; ++i) _fundAccount(honestPayers[i]);
        for (uint256 i; i < 5; ++i) _fundAccount(wash[i]);
        _fundAccount(honestCreator);
        vm.prank(honestCreator);
        honestApp = apps.publish(keccak256("honest"), 1e6, 2_000);
        vm.prank(wash[0]);
        washApps[0] = apps.publish(keccak256("washA"), 1e6, 10_000);
        vm.prank(wash[1]);
        washApps[1] = apps.publish(keccak256("washB"), 1e6, 5_000);
    }

    function _fundAccount(address a) internal {
        usd.mint(a, INITIAL);
        vm.prank(a);
        usd.approve(address(apps), type(uint256).max);
    }

    /// Total the wash trader's accounts hold.
    function washHeld() public view returns (uint256 total) {
        for (uint256 i; i < 5; ++i) total += usd.balanceOf(wash[i]);
    }

    function fund(uint64 amount) external {
        amount = uint64(bound(amount, 1, 10_000_000e6));
        usd.mint(address(this), amount);
        usd.approve(address(apps), amount);
        apps.fund(amount);
        ghostFunded += amount;
    }

    function honestUse(uint8 payer, uint64 amount) external {
        amount = uint64(bound(amount, 1, 1_000_000e6));
        vm.prank(honestPayers[payer % 2]);
        apps.pay(honestApp, honestProvider, amount);
    }

    /// The wash trader pays one of its apps (or the honest one, to dilute it) from any of its accounts, served by any
    /// of its accounts: self-use, sybil use, a ring between its two apps.
    function washUse(uint8 payer, uint8 app, uint8 server, uint64 amount) external {
        amount = uint64(bound(amount, 1, 1_000_000e6));
        uint256 id = washApps[app % 2];
        vm.prank(wash[payer % 5]);
        apps.pay(id, wash[2 + server % 3], amount);
        ghostWashPaid += amount;
    }

    function roll(uint16 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 250));
    }

    function claim(uint8 app, uint16 epochSeed) external {
        uint256 current = apps.currentEpoch();
        if (current == 0) return;
        uint256 epoch = epochSeed % current;
        uint256 id = app % 3;
        if (apps.claimed(epoch, id)) return;
        ghostClaimed += apps.claim(epoch, id);
        ghostClaimedOnce[epoch][id] = true;
    }
}
