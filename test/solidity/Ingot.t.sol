// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IIngot} from "../../contracts/interfaces/IIngot.sol";
import {IngotMetadata} from "../../contracts/libraries/IngotMetadata.sol";
import {MockForge} from "../../contracts/mocks/MockForge.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

contract IngotTest is IngotFixture {
    MockForge internal forge;

    function setUp() external {
        _deploy();
        forge = new MockForge();
        registry.setForge(address(forge), true);
    }

    // ---------------------------------------------------------------- mint: access and once

    function test_mint_RevertWhen_CallerNotForge() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotOnlyForge.selector, address(this)));
        ingot.mint(_info(0, 0, address(0)), h, a, 0);
    }

    function test_mint_RevertWhen_ForgeAlreadyMinted() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        uint256 id = forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotAlreadyMinted.selector, address(forge), id));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    // ---------------------------------------------------------------- mint: allocation

    function test_mint_RevertWhen_LengthsDiffer() external {
        address[] memory h = new address[](2);
        (h[0], h[1]) = (ALICE, BOB);
        uint256[] memory a = new uint256[](1);
        a[0] = SUPPLY;
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadAllocation.selector, 2, 1, 0, SUPPLY));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    function test_mint_RevertWhen_AmountsMissSupply() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY - 1);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadAllocation.selector, 1, 1, SUPPLY - 1, SUPPLY));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    function test_mint_RevertWhen_AmountsExceedSupply() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        uint256 parent = forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
        MockForge child = _newForge();
        // Holders already take the whole supply, the lineage pool comes on top.
        vm.expectRevert(
            abi.encodeWithSelector(IIngot.IngotBadAllocation.selector, 1, 1, SUPPLY + 100_000_000, SUPPLY)
        );
        child.mint(ingot, _info(parent, 1_000, address(0)), h, a, 100_000_000);
    }

    function test_mint_RevertWhen_HolderIsZero() external {
        address[] memory h = new address[](2);
        uint256[] memory a = new uint256[](2);
        (h[0], h[1]) = (ALICE, address(0));
        (a[0], a[1]) = (SUPPLY - 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadHolder.selector, 1, address(0)));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    function test_mint_RevertWhen_HolderIsSplitter() external {
        (address[] memory h, uint256[] memory a) = _alloc(address(splitter), SUPPLY);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadHolder.selector, 0, address(splitter)));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    // ---------------------------------------------------------------- mint: lineage

    function test_mint_RevertWhen_ParentUnknown() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY - 50_000_000);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotUnknownParent.selector, 5));
        forge.mint(ingot, _info(5, 500, address(0)), h, a, 50_000_000);
    }

    function test_mint_RevertWhen_LineageSharesDisagreeWithRoyalty() external {
        uint256 parent = _mintOne(ALICE, 0, 0, address(0));
        (address[] memory h, uint256[] memory a) = _alloc(BOB, SUPPLY - 1_000);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadLineage.selector, parent, 500, 1_000, 50_000_000));
        forge.mint(ingot, _info(parent, 500, address(0)), h, a, 1_000);
    }

    function test_mint_RevertWhen_RoyaltyWithoutParent() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY - 50_000_000);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadLineage.selector, 0, 500, 50_000_000, 50_000_000));
        forge.mint(ingot, _info(0, 500, address(0)), h, a, 50_000_000);
    }

    function test_mint_RevertWhen_RoyaltyTakesWholeSupply() external {
        uint256 parent = _mintOne(ALICE, 0, 0, address(0));
        address[] memory h = new address[](0);
        uint256[] memory a = new uint256[](0);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadLineage.selector, parent, 10_000, SUPPLY, SUPPLY));
        forge.mint(ingot, _info(parent, 10_000, address(0)), h, a, SUPPLY);
    }

    // ---------------------------------------------------------------- mint: effects

    function test_mint_whenValid_mintsWholeSupplyWithSequentialIds() external {
        uint256 first = _mintThree(0, 0, address(0));
        uint256 second = _mintThree(first, 2_000, address(0));
        assertEq(first, 1, "first id");
        assertEq(second, 2, "second id");
        assertEq(ingot.count(), 2, "count");
        assertEq(ingot.balanceOf(ALICE, second), 480_000_000, "alice");
        assertEq(ingot.balanceOf(BOB, second), 240_000_000, "bob");
        assertEq(ingot.balanceOf(CAROL, second), 80_000_000, "carol");
        assertEq(ingot.balanceOf(address(splitter), second), 200_000_000, "lineage held by splitter");
    }

    function test_mint_whenValid_recordsInfoWithCallerAsForge() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        IIngot.IngotInfo memory given = _info(0, 0, address(0xC0FFEE));
        given.forge = address(0xBAD);
        uint256 id = forge.mint(ingot, given, h, a, 0);
        IIngot.IngotInfo memory stored = ingot.info(id);
        assertEq(stored.forge, address(forge), "forge is the caller");
        assertEq(ingot.ingotOf(address(forge)), id, "ingotOf");
        assertEq(stored.capitalAsset, address(0xC0FFEE), "capital asset");
        assertEq(stored.adapterRoot, keccak256("adapter"), "adapter root");
        assertEq(stored.metricAfter, int256(9.75e18), "metric after");
        assertEq(keccak256(bytes(stored.baseModelName)), keccak256("Qwen2.5-Coder-3B-Instruct"), "base model name");
        (,,, address capital) = splitter.lineageOf(id);
        assertEq(capital, address(0xC0FFEE), "registered with the splitter");
    }

    function test_mint_whenHolderRepeated_sumsItsAmounts() external {
        address[] memory h = new address[](2);
        uint256[] memory a = new uint256[](2);
        (h[0], h[1]) = (ALICE, ALICE);
        (a[0], a[1]) = (SUPPLY - 7, 7);
        uint256 id = forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
        assertEq(ingot.balanceOf(ALICE, id), SUPPLY, "alice");
    }

    function test_mint_emitsIngotMinted() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        vm.expectEmit(true, true, true, true);
        emit IIngot.IngotMinted(1, address(forge), 0, keccak256("adapter"));
        forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
    }

    function test_mint_whenHolderContractHasNoReceiverHook_stillMints() external {
        // The registry is a contract without onERC1155Received: a transfer to it is refused,
        // but it cannot block the Forge's result.
        (address[] memory h, uint256[] memory a) = _alloc(address(registry), SUPPLY);
        uint256 id = forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
        assertEq(ingot.balanceOf(address(registry), id), SUPPLY, "minted");
    }

    function test_safeTransferFrom_RevertWhen_ReceiverHasNoHook() external {
        uint256 id = _mintOne(ALICE, 0, 0, address(0));
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IERC1155Errors.ERC1155InvalidReceiver.selector, address(registry)));
        ingot.safeTransferFrom(ALICE, address(registry), id, 1, "");
    }

    function test_safeTransferFrom_whenEarned_settlesSenderBeforeMove() external {
        uint256 id = _mintOne(ALICE, 0, 0, address(0));
        _payEth(id, 1 ether);
        _move(ALICE, BOB, id, SUPPLY);
        assertEq(splitter.claimable(id, address(0), ALICE), 1 ether, "alice keeps what she earned");
        assertEq(splitter.claimable(id, address(0), BOB), 0, "bob earned nothing yet");
    }

    function test_supportsInterface_reportsErc1155() external view {
        assertTrue(ingot.supportsInterface(type(IERC1155).interfaceId), "erc1155");
    }

    // ---------------------------------------------------------------- views

    function test_info_RevertWhen_Unknown() external {
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotUnknown.selector, 1));
        ingot.info(1);
    }

    function test_uri_RevertWhen_Unknown() external {
        _mintOne(ALICE, 0, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotUnknown.selector, 2));
        ingot.uri(2);
    }

    function test_uri_returnsBase64ModelCard() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        uint256 id = forge.mint(ingot, _info(0, 0, address(0)), h, a, 0);
        string memory json = string.concat(
            '{"name":"Ingot #1","description":"0g://rust-unsafe-auditor","properties":{"forge":"',
            Strings.toHexString(address(forge)),
            '","parentIngot":0,"royaltyBps":0,"capitalAsset":"0x0000000000000000000000000000000000000000",',
            '"shareSupply":1000000000,"baseModel":{"name":"Qwen2.5-Coder-3B-Instruct","root":"',
            Strings.toHexString(uint256(keccak256("base")), 32),
            '"},"adapterRoot":"',
            Strings.toHexString(uint256(keccak256("adapter")), 32),
            '","metricBefore":"12.5","metricAfter":"9.75","enclaveMeasurement":"',
            Strings.toHexString(uint256(keccak256("mrtd")), 32),
            '","attributionLogRoot":"',
            Strings.toHexString(uint256(keccak256("log")), 32),
            '"}}'
        );
        assertEq(
            keccak256(bytes(ingot.uri(id))),
            keccak256(bytes(string.concat("data:application/json;base64,", Base64.encode(bytes(json))))),
            "model card"
        );
    }

    function test_uri_whenCreatorStringsHaveQuotes_escapesThem() external {
        (address[] memory h, uint256[] memory a) = _alloc(ALICE, SUPPLY);
        IIngot.IngotInfo memory info_ = _info(0, 0, address(0));
        info_.baseModelName = 'evil","x":"1';
        info_.metadataURI = "line\nbreak";
        uint256 id = forge.mint(ingot, info_, h, a, 0);
        string memory card = IngotMetadata.modelCard(id, ingot.info(id), SUPPLY);
        assertTrue(_contains(card, '"name":"evil\\",\\"x\\":\\"1"'), "quotes escaped");
        assertTrue(_contains(card, '"description":"line\\nbreak"'), "newline escaped");
    }

    function test_formatFixed18_rendersDecimals() external pure {
        _eqStr(IngotMetadata.formatFixed18(0), "0", "zero");
        _eqStr(IngotMetadata.formatFixed18(3e18), "3", "whole");
        _eqStr(IngotMetadata.formatFixed18(-1.5e18), "-1.5", "negative");
        _eqStr(IngotMetadata.formatFixed18(1), "0.000000000000000001", "one wei");
        _eqStr(IngotMetadata.formatFixed18(12.0625e18), "12.0625", "trailing zeros trimmed");
        _eqStr(
            IngotMetadata.formatFixed18(type(int256).min),
            "-57896044618658097711785492504343953926634992332820282019728.792003956564819968",
            "min"
        );
    }

    // ---------------------------------------------------------------- helpers

    function _newForge() internal returns (MockForge f) {
        f = new MockForge();
        registry.setForge(address(f), true);
    }

    function _alloc(address holder, uint256 amount) internal pure returns (address[] memory h, uint256[] memory a) {
        h = new address[](1);
        a = new uint256[](1);
        (h[0], a[0]) = (holder, amount);
    }

    function _eqStr(string memory a, string memory b, string memory what) internal pure {
        assertEq(keccak256(bytes(a)), keccak256(bytes(b)), string.concat(what, ": ", a));
    }

    function _contains(string memory haystack, string memory needle) internal pure returns (bool) {
        bytes memory h = bytes(haystack);
        bytes memory n = bytes(needle);
        for (uint256 i; i + n.length <= h.length; ++i) {
            bool hit = true;
            for (uint256 j; j < n.length && hit; ++j) {
                hit = h[i + j] == n[j];
            }
            if (hit) return true;
        }
        return false;
    }
}
