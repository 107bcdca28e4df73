// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Token that, once armed, calls `target` with `data` in the middle of its next
/// transfer or transferFrom (before balances move), like an ERC-777 hook. It disarms itself
/// first so the callback fires once. With `bubble` set, a failing callback reverts the whole
/// transfer with the callback's own revert data (so a test can expect e.g. the reentrancy
/// guard's error); otherwise the failure is recorded in `lastCallOk` / `lastReturnData`. Test-only.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public data;
    bool public bubble;
    bool public armed;

    bool public lastCallOk;
    bytes public lastReturnData;

    constructor() ERC20("Reentrant Token", "REENTER") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm the callback for the next transfer.
    function arm(address target_, bytes calldata data_, bool bubble_) external {
        target = target_;
        data = data_;
        bubble = bubble_;
        armed = true;
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (armed && from != address(0) && to != address(0)) {
            armed = false;
            (bool ok, bytes memory ret) = target.call(data);
            lastCallOk = ok;
            lastReturnData = ret;
            if (!ok && bubble) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        super._update(from, to, amount);
    }
}
