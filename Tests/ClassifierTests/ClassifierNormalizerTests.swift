import Testing
@testable import Classifier

@Suite struct ClassifierNormalizerTests {
    let normalizer = TextNormalizer()

    @Test("spellings of one thing meet at one token", arguments: [
        ["Wi-Fi", "wifi", "WIFI!!", "wi fi", "WiFi's", "wlan"],
        ["lift", "Lifts", "elevator", "ELEVATORS", "elevater"],
        ["toilet", "toilets", "loo", "washroom", "restrooms", "toliet"],
        ["colour", "color", "Colours"],
        ["licence", "license", "licenses"],
        ["password", "pwd", "passwd", "pasword", "passwords"],
        ["canteen", "cafeteria", "cafetaria", "Canteens"],
        ["cafe", "café", "CAFÉ", "cafés"],
        ["moodle", "blackboard", "VLE", "canvas"],
    ])
    func variantsAgree(_ spellings: [String]) {
        let tokens = Set(spellings.map { normalizer.words($0) })
        #expect(tokens.count == 1, "\(spellings) → \(tokens)")
        #expect(tokens.first?.count == 1)
    }

    @Test func endingsAreStripped() {
        let forms = ["leak", "leaks", "leaking", "leaked"].map { normalizer.words($0) }
        #expect(Set(forms).count == 1)
        #expect(normalizer.words("batteries") == normalizer.words("battery"))
        #expect(normalizer.words("charging") == normalizer.words("charged"))
        #expect(normalizer.words("stopped") == normalizer.words("stop"))
    }

    @Test func functionWordsAndShorthandAreDropped() {
        #expect(normalizer.words("pls could u fix the wifi in my room thx") == ["could", "fix", "wifi", "room"])
        #expect(normalizer.words("   ...!!! ") == [])
    }

    /// Question, scope and negation words are kept: they tell a question (low) from a whole
    /// building (high) from a failure, which severity needs (docs/classification.md, round 3).
    @Test func severityCuesAreKept() {
        #expect(normalizer.words("how do I book a room") == ["how", "book", "room"])
        #expect(normalizer.words("all the printers are offline") == ["all", "printer", "offlin"])
        #expect(normalizer.words("I can't log in") == ["cant", "log"])
        #expect(normalizer.words("the care home") == ["care", "hom"])
        #expect(normalizer.words("the car park") == ["car", "park"])
    }

    @Test func numbersKeepOnlyTheirShape() {
        #expect(normalizer.words("lift stuck 3rd floor") == ["lift", "stuck", "#ordinal", "floor"])
        #expect(normalizer.words("room 214") == ["room", "#num"])
        #expect(normalizer.words("room B204 at 9am") == ["room", "#code", "#clock"])
    }

    @Test func featuresAddAdjacentPairs() {
        #expect(normalizer.features("no hot water") == ["no", "hot", "water", "no hot", "hot water"])
    }
}
