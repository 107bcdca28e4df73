// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IIngot} from "../interfaces/IIngot.sol";

/// @title IngotMetadata
/// @notice Renders an Ingot's model card as an inline `data:` JSON URI. Strings that came from a
/// Forge creator (base model name, metadata URI) are JSON-escaped, so a hostile name cannot break
/// or inject into the document.
library IngotMetadata {
    using Strings for uint256;
    using Strings for address;

    /// @notice `data:application/json;base64,` + the model card of Ingot `id`.
    function modelCardURI(uint256 id, IIngot.IngotInfo memory info, uint256 supply)
        internal
        pure
        returns (string memory)
    {
        return string.concat("data:application/json;base64,", Base64.encode(bytes(modelCard(id, info, supply))));
    }

    /// @notice The model card JSON of Ingot `id`.
    function modelCard(uint256 id, IIngot.IngotInfo memory info, uint256 supply)
        internal
        pure
        returns (string memory)
    {
        return string.concat(
            '{"name":"Ingot #',
            id.toString(),
            '","description":"',
            Strings.escapeJSON(info.metadataURI),
            '","properties":{',
            _lineage(info, supply),
            ",",
            _model(info),
            "}}"
        );
    }

    /// @notice `value` (1e18 fixed point) as a decimal: "-12.5", "3", "0.000000000000000001".
    function formatFixed18(int256 value) internal pure returns (string memory) {
        // -(min + 1) + 1 avoids negating type(int256).min.
        uint256 abs = value < 0 ? uint256(-(value + 1)) + 1 : uint256(value);
        string memory sign = value < 0 ? "-" : "";
        uint256 whole = abs / 1e18;
        uint256 frac = abs % 1e18;
        if (frac == 0) return string.concat(sign, whole.toString());
        uint256 digits = 18;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        bytes memory fracText = bytes(frac.toString());
        bytes memory padded = new bytes(digits);
        uint256 zeros = digits - fracText.length;
        for (uint256 i; i < digits; ++i) {
            padded[i] = i < zeros ? bytes1("0") : fracText[i - zeros];
        }
        return string.concat(sign, whole.toString(), ".", string(padded));
    }

    function _lineage(IIngot.IngotInfo memory info, uint256 supply) private pure returns (string memory) {
        return string.concat(
            '"forge":"',
            info.forge.toHexString(),
            '","parentIngot":',
            info.parentId.toString(),
            ',"royaltyBps":',
            uint256(info.royaltyBps).toString(),
            ',"capitalAsset":"',
            info.capitalAsset.toHexString(),
            '","shareSupply":',
            supply.toString()
        );
    }

    function _model(IIngot.IngotInfo memory info) private pure returns (string memory) {
        return string.concat(
            '"baseModel":{"name":"',
            Strings.escapeJSON(info.baseModelName),
            '","root":"',
            _hex(info.baseModelRoot),
            '"},"adapterRoot":"',
            _hex(info.adapterRoot),
            '","metricBefore":"',
            formatFixed18(info.metricBefore),
            '","metricAfter":"',
            formatFixed18(info.metricAfter),
            '","enclaveMeasurement":"',
            _hex(info.measurement),
            '","attributionLogRoot":"',
            _hex(info.attributionLogRoot),
            '"'
        );
    }

    function _hex(bytes32 value) private pure returns (string memory) {
        return uint256(value).toHexString(32);
    }
}
