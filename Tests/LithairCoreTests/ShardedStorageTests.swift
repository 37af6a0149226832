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
