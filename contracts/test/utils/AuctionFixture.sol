// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SubnetStack} from "./SubnetFixture.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {AppRewards} from "../../src/apps/AppRewards.sol";
import {EmissionAuction, IAppEmissions, IAppRewardsFunding} from "../../src/apps/EmissionAuction.sol";

/// @notice The subnet stack with the apps' emission path: SubnetEmissions gives APP_SHARE_BPS of each block to an
/// EmissionAuction that sells it for hUSD into AppRewards' pool; the deploying contract governs the auction.
contract AuctionStack {
    uint16 public constant APP_SHARE_BPS = 1_000;
    uint128 public constant START_PRICE = 10e6; // 10 hUSD per HYP
    uint128 public constant FLOOR_PRICE = 1e4; // 0.01 hUSD per HYP
    uint64 public constant LOT_BLOCKS = 100;
    uint128 public constant MIN_LOT = 1 ether;

    SubnetStack public immutable s;
    PaymentToken public immutable usd;
    AppRewards public immutable rewards;
    EmissionAuction public immutable auction;

    constructor(address governor, address treasury) {
        s = new SubnetStack();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        rewards = new AppRewards(IERC20(address(usd)), treasury, 20);
        auction = new EmissionAuction(IAppEmissions(address(s.emissions())), IAppRewardsFunding(address(rewards)),
            governor, 0, defaultParams());
        s.enableApps(address(auction), APP_SHARE_BPS);
    }

    function defaultParams() public pure returns (EmissionAuction.Params memory) {
        return EmissionAuction.Params({startPrice: START_PRICE, floorPrice: FLOOR_PRICE, lotBlocks: LOT_BLOCKS,
            minLot: MIN_LOT});
    }

    /// @dev hUSD for a buyer (this contract owns the token).
    function mintUsd(address to, uint256 amount) external {
        usd.mint(to, amount);
    }

    /// @dev Governance of SubnetEmissions (the stack) changes the app share.
    function setAppShare(uint16 bps) external {
        s.setAppShare(bps);
    }
}
