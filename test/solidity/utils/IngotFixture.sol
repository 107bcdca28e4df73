// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";
import {RevenueSplitter} from "../../../contracts/RevenueSplitter.sol";
import {Ingot} from "../../../contracts/Ingot.sol";
import {IIngot} from "../../../contracts/interfaces/IIngot.sol";
import {MockForgeRegistry} from "../../../contracts/mocks/MockForgeRegistry.sol";
import {MockForge} from "../../../contracts/mocks/MockForge.sol";

/// @notice Deploys the splitter and Ingot wired as in production (the test contract is the admin
/// and a mock registry stands in for the ForgeFactory) and mints Ingots through mock Forges.
abstract contract IngotFixture is TestBase {
    uint256 internal constant SUPPLY = 1_000_000_000;

    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    address internal constant CAROL = address(0xCA801);
    address internal constant PAYER = address(0x9A7E2);

    MockForgeRegistry internal registry;
    RevenueSplitter internal splitter;
    Ingot internal ingot;

    function _deploy() internal {
        registry = new MockForgeRegistry();
        splitter = new RevenueSplitter(address(this));
        ingot = new Ingot(address(registry), address(splitter));
        splitter.bindIngot(address(ingot));
    }

    function _info(uint256 parentId, uint16 royaltyBps, address capitalAsset)
        internal
        pure
        returns (IIngot.IngotInfo memory info)
    {
        info.parentId = parentId;
        info.royaltyBps = royaltyBps;
        info.capitalAsset = capitalAsset;
        info.baseModelRoot = keccak256("base");
        info.adapterRoot = keccak256("adapter");
        info.measurement = keccak256("mrtd");
        info.attributionLogRoot = keccak256("log");
        info.metricBefore = 12.5e18;
        info.metricAfter = 9.75e18;
        info.baseModelName = "Qwen2.5-Coder-3B-Instruct";
        info.metadataURI = "0g://rust-unsafe-auditor";
    }

    /// @dev Mints through a fresh mock Forge; the lineage shares follow from `royaltyBps`.
    function _mint(address[] memory holders, uint256[] memory amounts, uint256 parentId, uint16 royaltyBps, address capitalAsset)
        internal
        returns (uint256 id)
    {
        MockForge forge = new MockForge();
        registry.setForge(address(forge), true);
        return forge.mint(ingot, _info(parentId, royaltyBps, capitalAsset), holders, amounts, (SUPPLY * royaltyBps) / 10_000);
    }

    /// @dev Alice 60%, Bob 30%, Carol 10% of what the lineage pool leaves.
    function _mintThree(uint256 parentId, uint16 royaltyBps, address capitalAsset) internal returns (uint256) {
        uint256 rest = SUPPLY - (SUPPLY * royaltyBps) / 10_000;
        address[] memory holders = new address[](3);
        uint256[] memory amounts = new uint256[](3);
        (holders[0], holders[1], holders[2]) = (ALICE, BOB, CAROL);
        amounts[0] = (rest * 6) / 10;
        amounts[1] = (rest * 3) / 10;
        amounts[2] = rest - amounts[0] - amounts[1];
        return _mint(holders, amounts, parentId, royaltyBps, capitalAsset);
    }

    function _mintOne(address holder, uint256 parentId, uint16 royaltyBps, address capitalAsset) internal returns (uint256) {
        address[] memory holders = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        holders[0] = holder;
        amounts[0] = SUPPLY - (SUPPLY * royaltyBps) / 10_000;
        return _mint(holders, amounts, parentId, royaltyBps, capitalAsset);
    }

    function _payEth(uint256 id, uint256 amount) internal {
        vm.deal(PAYER, amount);
        vm.prank(PAYER);
        splitter.pay{value: amount}(id, address(0), amount);
    }

    function _move(address from, address to, uint256 id, uint256 amount) internal {
        vm.prank(from);
        ingot.safeTransferFrom(from, to, id, amount, "");
    }
}
