import LithairConsensus
import Testing

@testable import LithairCore

@Suite struct ShardedStorageTests {
    @Test func shardedDictionaryBehavesLikeADictionary() {
        var sharded = ShardedDictionary<Int>()
        var plain: [String: Int] = [:]
        var generator = LithairConsensus.SplitMix64(seed: 11)
        for step in 0..<20_000 {
            let key = "k\(generator.next() % 3_000)"
            switch generator.next() % 4 {
            case 0:
                sharded[key] = step
                plain[key] = step
            case 1:
                #expect(sharded.removeValue(forKey: key) == plain.removeValue(forKey: key))
            case 2:
                sharded.modify(key, default: 0) { $0 += 1 }
                plain[key, default: 0] += 1
            default:
                sharded[key] = nil
                plain[key] = nil
            }
            #expect(sharded[key] == plain[key])
        }
        #expect(sharded.count == plain.count)
        #expect(Set(sharded.keys) == Set(plain.keys))
        #expect(Dictionary(uniqueKeysWithValues: sharded.elements.map { ($0.key, $0.value) }) == plain)
    }

    @Test func aCopyIsIndependentOfLaterWrites() {
        var live = ShardedDictionary<Int>()
        for index in 0..<1_000 { live["\(index)"] = index }
        let snapshot = live
        live["5"] = -5
        live.removeValue(forKey: "6")
        #expect(snapshot["5"] == 5 && snapshot["6"] == 6 && snapshot.count == 1_000)
        #expect(live["5"] == -5 && live["6"] == nil && live.count == 999)
    }

    @Test("writes while a copy is held go to pending changes; the copy keeps its contents; they drain later")
    func writesWhileACopyIsHeld() {
        var live = ShardedDictionary<Int>()
        var plain: [String: Int] = [:]
        var generator = LithairConsensus.SplitMix64(seed: 29)
        var held: [(copy: ShardedDictionary<Int>, expected: [String: Int])] = []
        func contents(_ dictionary: ShardedDictionary<Int>) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: dictionary.elements.map { ($0.key, $0.value) })
        }
        for step in 0..<30_000 {
            let key = "k\(generator.next() % 2_000)"
            switch generator.next() % 100 {
            case 0..<40:
                live[key] = step
                plain[key] = step
                if !held.isEmpty { #expect(live.pendingCount > 0, "not written into shards a copy shares") }
            case 40..<60:
                #expect(live.removeValue(forKey: key) == plain.removeValue(forKey: key))
            case 60..<97:
                live.modify(key, default: 0) { $0 += 1 }
                plain[key, default: 0] += 1
            case 97, 98:
                if held.count < 2 { held.append((live, plain)) }
            default:
                if let copy = held.popLast() {
                    #expect(contents(copy.copy) == copy.expected, "a copy never sees later writes")
                    #expect(copy.copy.count == copy.expected.count)
                }
            }
            #expect(live[key] == plain[key])
        }
        #expect(live.count == plain.count)
        #expect(contents(live) == plain)
        #expect(Set(live.keys) == Set(plain.keys))
        for (copy, expected) in held { #expect(contents(copy) == expected) }
        held.removeAll()
        // Released: every write settles its own key and moves eight more.
        for index in 0..<2_000 { live["drain\(index)"] = index }
        #expect(live.pendingCount == 0)
        #expect(live.count == plain.count + 2_000)
        for (key, value) in plain { #expect(live[key] == value) }
    }

    @Test func chunkedArrayKeepsOrderAcrossChunksAndCopies() {
        var array = ChunkedArray<Int>()
        for value in 0..<10_000 { array.append(value) }
        let copy = array
        array.append(10_000)
        array.removeAll { $0 % 3 == 0 }
        #expect(Array(copy.elements) == Array(0..<10_000))
        #expect(Array(array.elements) == (0...10_000).filter { $0 % 3 != 0 })
    }
}
