/// A set of unique keys kept sorted in an AVL tree whose nodes also count their subtree, so that
/// insert, remove, rank (position of a key) and select (key at a position) are all O(log n) in the worst case,
/// and walking k keys from any position is O(log n + k).
///
/// Nodes live in one array and refer to each other by index (freed slots are reused), which makes the tree a plain
/// value type: copies share storage until one of them is mutated. Links and sizes are stored as `Int32` and heights
/// as `UInt8` (a node is its key plus 13 bytes, 16 with padding), which bounds the tree to `Int32.max` nodes
/// (checked on insert); an AVL tree that size is at most 45 levels high.
struct OrderedKeyTree<Key: Comparable & Sendable>: Sendable {
    private struct Node: Sendable {
        var key: Key
        private var storedLeft = Int32(OrderedKeyTree.none)
        private var storedRight = Int32(OrderedKeyTree.none)
        private var storedSize: Int32 = 1
        private var storedHeight: UInt8 = 1

        init(key: Key) { self.key = key }

        var left: Int {
            get { Int(storedLeft) }
            set { storedLeft = Int32(newValue) }
        }

        var right: Int {
            get { Int(storedRight) }
            set { storedRight = Int32(newValue) }
        }

        var size: Int {
            get { Int(storedSize) }
            set { storedSize = Int32(newValue) }
        }

        var height: Int {
            get { Int(storedHeight) }
            set { storedHeight = UInt8(newValue) }
        }
    }

    /// The size of a node in the node array, in bytes (for tests).
    static var nodeStride: Int { MemoryLayout<Node>.stride }

    /// The index meaning "no node".
    private static var none: Int { -1 }

    private var nodes: [Node] = []
    private var freeSlots: [Int32] = []
    private var root = OrderedKeyTree.none

    init() {}

    /// Builds a perfectly balanced tree from keys that are strictly increasing, in O(n).
    init(sortedUniqueKeys keys: [Key]) {
        precondition(keys.count <= Int(Int32.max), "OrderedKeyTree holds at most Int32.max keys")
        nodes.reserveCapacity(keys.count)
        root = build(keys[...])
    }

    var count: Int { size(root) }

    var isEmpty: Bool { root == Self.none }

    /// Inserts `key`; false when it was already present.
    @discardableResult
    mutating func insert(_ key: Key) -> Bool {
        var inserted = false
        root = insert(key, into: root, inserted: &inserted)
        return inserted
    }

    /// Removes `key`; false when it was absent.
    @discardableResult
    mutating func remove(_ key: Key) -> Bool {
        var removed = false
        root = remove(key, from: root, removed: &removed)
        return removed
    }

    mutating func removeAll() {
        self = OrderedKeyTree()
    }

    /// The number of keys smaller than `key`, when `key` is present.
    func rank(of key: Key) -> Int? {
        var index = root
        var rank = 0
        while index != Self.none {
            let node = nodes[index]
            if key < node.key {
                index = node.left
            } else if node.key < key {
                rank += size(node.left) + 1
                index = node.right
            } else {
                return rank + size(node.left)
            }
        }
        return nil
    }

    /// The key at `position` (0-based, in order); `position` must be in `0..<count`.
    func key(at position: Int) -> Key {
        precondition((0..<count).contains(position), "position \(position) out of range 0..<\(count)")
        var index = root
        var position = position
        while true {
            let node = nodes[index]
            let leftSize = size(node.left)
            if position < leftSize {
                index = node.left
            } else if position == leftSize {
                return node.key
            } else {
                position -= leftSize + 1
                index = node.right
            }
        }
    }

    /// The keys in order from `position` on (`position` may equal `count`, giving nothing).
    func keys(from position: Int) -> Keys {
        precondition((0...count).contains(position), "position \(position) out of range 0...\(count)")
        var path: [Int32] = []
        var index = root
        var position = position
        while index != Self.none {
            let node = nodes[index]
            let leftSize = size(node.left)
            if position < leftSize {
                path.append(Int32(index))
                index = node.left
            } else if position == leftSize {
                path.append(Int32(index))
                break
            } else {
                position -= leftSize + 1
                index = node.right
            }
        }
        return Keys(tree: self, path: path)
    }

    /// An in-order walk; `path` holds the next node on top of the ancestors still to visit.
    struct Keys: Sequence, IteratorProtocol {
        fileprivate let tree: OrderedKeyTree
        fileprivate var path: [Int32]

        mutating func next() -> Key? {
            guard let index = path.popLast().map(Int.init) else { return nil }
            var child = tree.nodes[index].right
            while child != OrderedKeyTree.none {
                path.append(Int32(child))
                child = tree.nodes[child].left
            }
            return tree.nodes[index].key
        }
    }

    // MARK: - Balancing

    private func size(_ index: Int) -> Int { index == Self.none ? 0 : nodes[index].size }

    private func height(_ index: Int) -> Int { index == Self.none ? 0 : nodes[index].height }

    private mutating func update(_ index: Int) {
        let left = nodes[index].left
        let right = nodes[index].right
        nodes[index].height = max(height(left), height(right)) + 1
        nodes[index].size = size(left) + size(right) + 1
    }

    private mutating func rotateRight(_ index: Int) -> Int {
        let pivot = nodes[index].left
        nodes[index].left = nodes[pivot].right
        nodes[pivot].right = index
        update(index)
        update(pivot)
        return pivot
    }

    private mutating func rotateLeft(_ index: Int) -> Int {
        let pivot = nodes[index].right
        nodes[index].right = nodes[pivot].left
        nodes[pivot].left = index
        update(index)
        update(pivot)
        return pivot
    }

    /// Recomputes `index`'s fields and restores the AVL balance there; returns the subtree's new root.
    private mutating func rebalance(_ index: Int) -> Int {
        update(index)
        let left = nodes[index].left
        let right = nodes[index].right
        let balance = height(left) - height(right)
        if balance > 1 {
            if height(nodes[left].left) < height(nodes[left].right) { nodes[index].left = rotateLeft(left) }
            return rotateRight(index)
        }
        if balance < -1 {
            if height(nodes[right].right) < height(nodes[right].left) { nodes[index].right = rotateRight(right) }
            return rotateLeft(index)
        }
        return index
    }

    // MARK: - Recursive updates (depth ≤ 1.44 log₂ n, about 20 for 10,000 keys)

    private mutating func insert(_ key: Key, into index: Int, inserted: inout Bool) -> Int {
        guard index != Self.none else {
            inserted = true
            return allocate(key)
        }
        if key < nodes[index].key {
            let child = insert(key, into: nodes[index].left, inserted: &inserted)
            nodes[index].left = child
        } else if nodes[index].key < key {
            let child = insert(key, into: nodes[index].right, inserted: &inserted)
            nodes[index].right = child
        } else {
            return index
        }
        return inserted ? rebalance(index) : index
    }

    private mutating func remove(_ key: Key, from index: Int, removed: inout Bool) -> Int {
        guard index != Self.none else { return Self.none }
        if key < nodes[index].key {
            let child = remove(key, from: nodes[index].left, removed: &removed)
            nodes[index].left = child
        } else if nodes[index].key < key {
            let child = remove(key, from: nodes[index].right, removed: &removed)
            nodes[index].right = child
        } else {
            removed = true
            let left = nodes[index].left
            let right = nodes[index].right
            freeSlots.append(Int32(index))
            if left == Self.none { return right }
            if right == Self.none { return left }
            // Two children: the right subtree's smallest node takes this node's place.
            var successor = Self.none
            let newRight = detachMinimum(right, minimum: &successor)
            nodes[successor].left = left
            nodes[successor].right = newRight
            return rebalance(successor)
        }
        return removed ? rebalance(index) : index
    }

    private mutating func detachMinimum(_ index: Int, minimum: inout Int) -> Int {
        let left = nodes[index].left
        guard left != Self.none else {
            minimum = index
            return nodes[index].right
        }
        let child = detachMinimum(left, minimum: &minimum)
        nodes[index].left = child
        return rebalance(index)
    }

    private mutating func allocate(_ key: Key) -> Int {
        if let slot = freeSlots.popLast().map(Int.init) {
            nodes[slot] = Node(key: key)
            return slot
        }
        precondition(nodes.count < Int(Int32.max), "OrderedKeyTree holds at most Int32.max keys")
        nodes.append(Node(key: key))
        return nodes.count - 1
    }

    private mutating func build(_ keys: ArraySlice<Key>) -> Int {
        guard !keys.isEmpty else { return Self.none }
        let middle = keys.startIndex + keys.count / 2
        let left = build(keys[..<middle])
        let right = build(keys[(middle + 1)...])
        let index = allocate(keys[middle])
        nodes[index].left = left
        nodes[index].right = right
        update(index)
        return index
    }

    // MARK: - Checking (for tests)

    /// Checks order, unique keys, subtree sizes, heights and AVL balance; returns the first problem found.
    func invariantViolation() -> String? {
        var problem: String?
        _ = check(root, above: nil, below: nil, problem: &problem)
        if problem == nil, nodes.count - freeSlots.count != count {
            problem = "\(nodes.count) slots, \(freeSlots.count) free, but \(count) keys reachable"
        }
        return problem
    }

    private func check(_ index: Int, above lower: Key?, below upper: Key?, problem: inout String?) -> Int {
        guard index != Self.none, problem == nil else { return 0 }
        let node = nodes[index]
        if let lower, !(lower < node.key) { problem = "key \(node.key) not above \(lower)" }
        if let upper, !(node.key < upper) { problem = "key \(node.key) not below \(upper)" }
        let leftHeight = check(node.left, above: lower, below: node.key, problem: &problem)
        let rightHeight = check(node.right, above: node.key, below: upper, problem: &problem)
        if abs(leftHeight - rightHeight) > 1 { problem = problem ?? "unbalanced at \(node.key)" }
        if node.height != max(leftHeight, rightHeight) + 1 { problem = problem ?? "wrong height at \(node.key)" }
        if node.size != size(node.left) + size(node.right) + 1 { problem = problem ?? "wrong size at \(node.key)" }
        return max(leftHeight, rightHeight) + 1
    }
}
