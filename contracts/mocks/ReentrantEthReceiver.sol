// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Receives ETH and, once armed, calls `target` with `data` from inside `receive` (e.g.
/// to claim again). The callback's outcome is recorded, not bubbled, so a test can see both that
/// the outer payment went through and that the re-entry was refused. Test-only.
contract ReentrantEthReceiver {
    address public target;
    bytes public data;
    bool public armed;
    uint256 public received;

    bool public lastCallOk;
    bytes public lastReturnData;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    /// @notice Forward a call as this contract (to act as a share holder).
    function execute(address to, bytes calldata callData) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(callData);
        require(ok, "ReentrantEthReceiver: execute failed");
        return ret;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    receive() external payable {
        received += msg.value;
        if (armed) {
            armed = false;
            (lastCallOk, lastReturnData) = target.call(data);
        }
    }
}
