import OzProtocol

/// What `HostileGateway` sends: broken frames, ill-typed fields, hostile strings, a huge roster, deep nesting,
/// oversized messages. Session 1 gets the bulk and ends with a message over 16 MiB in one frame; session 2 gets one
/// over 16 MiB in fragments; session 3 a text frame that is not UTF-8; session 4 and later a few hostile lines, the
/// `done` marker, and an echo of what the client says (so a test can see typing still works).
enum HostileScript {
    /// Our number in every session.
    static let me = "H0ST1"
    /// The peer most hostile messages come from.
    static let evil = "EV1L1"
    /// The marker that ends session 1's frames, before its oversized message.
    static let phaseOneDone = "PHASE-ONE-DONE"
    /// The marker of the last session: everything hostile was sent.
    static let done = "HOSTILE-DONE"
    /// Ordinary peers in session 1's snapshot.
    static let crowd = 50_000
    /// Over the client's 16 MiB limit for one message.
    static let oversizeBytes = 17 * 1024 * 1024
    static let stamp = "2026-01-01T00:00:00.000Z"

    /// Peers with hostile numbers or properties (in session 1's snapshot).
    static let hostilePeers: [ClientInfo] = [
        peer(evil, ["Nickname": .string("\u{1B}]0;pwned-nick\u{07}Mallory\u{1B}[2J")]),
        peer("EV1L2", ["Nickname": .string(String(repeating: "W", count: 10_000))]),
        peer("EV1L3", ["Nickname": .string(String(repeating: "你", count: 5_000)), "Avatar": .string("\u{1B}]0;pwned-avatar\u{07}")]),
        peer("EV1L4", ["Nickname": .string("Z" + String(repeating: "\u{0301}", count: 3_000))]),
        peer("EV1L5", ["Nickname": .string("\u{202E}evil\u{202C}\r\u{08}\u{9B}31m\u{9D}0;pwned-c1\u{9C}")]),
        peer("EV1L6", ["Nickname": .string("")]),
        peer("EV1L7", ["Nickname": .int(42)]),
        peer("EV1L8", ["Nickname": .object(["a": .array([.null, .bool(true)])])]),
        peer("EV1L9", ["Nickname": .string(String(repeating: "\u{200B}", count: 3_000))]),
        peer("EV1LA", ["Nickname": .string("\u{1B}]8;;http://evil.invalid/\u{1B}\\link\u{1B}]8;;\u{1B}\\"), "Avatar": .string("x")]),
        peer("\u{1B}]0;pwned-number\u{07}\u{1B}[2J", ["Nickname": .string("NumberEvil")]),
        peer(String(repeating: "9", count: 5_000), ["Nickname": .string("LongNumber")]),
    ]

    /// Texts meant to move the cursor, clear the screen, set the title, reorder or hide text, or fake a line.
    static let hostileTexts: [String] = [
        "osc0 \u{1B}]0;pwned-title\u{07} end",
        "osc2 \u{1B}]2;pwned-title\u{1B}\\ end",
        "clear \u{1B}[2J\u{1B}[H\u{1B}[3J end",
        "move \u{1B}[5;5H\u{1B}[1A\u{1B}[10C\u{1B}[K\u{1B}7\u{1B}8 end",
        "alt \u{1B}[?1049l\u{1B}[?25l\u{1B}[?1000h end",
        "reset \u{1B}c end",
        "query \u{1B}[6n\u{1B}[c\u{1B}[21t end",
        "osc52 \u{1B}]52;c;cHduZWQ=\u{07} end",
        "c1 \u{9B}2J \u{9D}0;pwned-c1\u{9C} \u{85}nel \u{8D}ri \u{90}dcs\u{9C} end",
        "bidi \u{202E}desrever\u{202C} \u{2066}iso\u{2069} \u{200F}rlm \u{061C}alm end",
        "carriage\rOVERWRITTEN end",
        "backspace abc\u{08}\u{08}\u{08}XYZ\u{7F} end",
        "nul \u{0}\u{1}\u{7} bell end",
        "tabs\there\u{0B}\u{0C}feeds end",
        "line\u{2028}separator\u{2029}paragraph end",
        "newline\n\(stamp) ACCESS_GRANTED number=FAKE room=fake",
        "zero-width " + String(repeating: "\u{200B}\u{200D}\u{FEFF}\u{2060}", count: 2_000) + " end",
        "combining e" + String(repeating: "\u{0301}", count: 5_000) + " end",
        "zalgo " + String(repeating: "a\u{0300}\u{0301}\u{0302}\u{0303}\u{0304}\u{0305}", count: 500) + " end",
        "wide " + String(repeating: "你", count: 4_000) + " end",
        "emoji " + String(repeating: "👩‍👩‍👧‍👦🏳️‍🌈🇭🇺", count: 300) + " end",
        "long " + String(repeating: "x", count: 100_000) + " end",
    ]

    static func peer(_ number: String, _ properties: JSONObject) -> ClientInfo {
        ClientInfo(phoneNumber: number, status: .online, properties: properties)
    }

    /// A chat message frame.
    static func message(_ id: String, from: String = evil, to: String = ClientFrame.room, _ text: String) -> String {
        ServerFrame.message(ChatMessage(id: id, from: from, to: to, text: text, ts: stamp)).encoded
    }

    /// A message frame from `evil` to the room whose `text` is written as raw JSON string content (escapes as they are).
    static func rawMessage(_ id: String, _ jsonText: String) -> String {
        "{\"type\":\"message\",\"id\":\"\(id)\",\"from\":\"\(evil)\",\"to\":\"*\",\"text\":\"\(jsonText)\",\"ts\":\"\(stamp)\"}"
    }

    /// `ACCESS_GRANTED` with the hostile peers and `crowd` ordinary ones (session 1), or a small room.
    static func grant(crowd: Int) -> String {
        let ordinary = (0..<crowd).map { peer("P\($0)", ["Nickname": .string("peer\($0)")]) }
        return ServerFrame.accessGranted(phoneNumber: me, room: "hostile", clients: hostilePeers + ordinary).encoded
    }

    /// Session 1's frames after the grant, ending with the `phaseOneDone` marker.
    static func firstSession() -> [String] {
        let deepArray = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObject = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        var frames = [
            // Not JSON, or not a JSON object.
            "this is not JSON", "{\"type\":\"message\",\"id\":\"x\"", "", "[1,2,3]", "42", "null", "\"text\"", "{\"type\":\"message\",}",
            "{\"type\":\"message\",\"type\":\"error\"}", "\u{FEFF}{\"type\":\"error\",\"code\":\"X\"}", "{'type':'message'}",
            "{\"type\":\"message\",\"text\":\"unterminated",
            // Unknown types and ill-typed or missing fields.
            "{\"type\":\"holographicCall\",\"x\":1}", "{\"type\":42}", "{\"nope\":true}", "{\"type\":null}",
            "{\"type\":\"message\",\"id\":5,\"from\":null,\"to\":[],\"text\":{},\"ts\":false}",
            "{\"type\":\"message\",\"id\":\"m-1\",\"from\":\"\(evil)\",\"to\":\"*\",\"text\":\"no ts\"}",
            "{\"type\":\"connectionState\",\"state\":\"ACCESS_MAYBE\"}", "{\"type\":\"connectionState\",\"state\":7}",
            "{\"type\":\"connectionState\",\"state\":\"ACCESS_GRANTED\",\"phoneNumber\":5,\"room\":[],\"clients\":{}}",
            "{\"type\":\"clientStateChanged\",\"clients\":\"everyone\"}",
            "{\"type\":\"clientStateChanged\",\"clients\":[{\"phoneNumber\":7,\"status\":\"ONLINE\"}]}",
            "{\"type\":\"clientStateChanged\",\"clients\":[{\"phoneNumber\":\"Q1\",\"status\":\"AWAY\"}]}",
            "{\"type\":\"clientStateChanged\",\"clients\":[{\"phoneNumber\":\"Q2\",\"status\":\"ONLINE\",\"properties\":\"not an object\"}]}",
            "{\"type\":\"clientStateChanged\",\"clients\":[null,1,\"x\"]}",
            "{\"type\":\"error\",\"code\":{},\"message\":[]}",
            "{\"type\":\"error\",\"code\":\"\\u001b]0;pwned-code\\u0007\",\"message\":\"\\u001b[2J \\u009b2J\"}",
            "{\"type\":\"message\",\"id\":\"n1\",\"from\":\"\(evil)\",\"to\":\"*\",\"text\":\"big number\",\"ts\":\"\(stamp)\",\"x\":1e999999}",
            // Nesting 10,000 deep, alone and inside an otherwise valid message.
            deepArray, deepObject,
            "{\"type\":\"message\",\"id\":\"deep\",\"from\":\"\(evil)\",\"to\":\"*\",\"text\":\"deep\",\"ts\":\"\(stamp)\",\"x\":\(deepArray)}",
            // Invalid surrogates, escaped in JSON.
            rawMessage("s1", #"\ud800"#),
            rawMessage("s2", #"\udc00\ud800"#),
            rawMessage("s3", #"\ud83d\u0041"#),
            #"{"type":"clientStateChanged","clients":[{"phoneNumber":"S1","status":"ONLINE","properties":{"Nickname":"\udfff"}}]}"#,
            rawMessage("s4", #"escaped \u001b]0;pwned-escaped\u0007 \u009b2J \u202e end"#),
        ]
        // Hostile strings from a peer in the room, and as a fake echo of our own.
        for (index, text) in hostileTexts.enumerated() { frames.append(message("h\(index)", text)) }
        frames.append(message("own-fake", from: me, "fake echo \u{1B}[2J of a message never sent"))
        // Messages from numbers that are not in the room, and a private message meant for someone else.
        frames.append(message("u1", from: "NOBODY", "from nobody \u{1B}]0;pwned-nobody\u{07}"))
        frames.append(message("u2", from: "NOBODY", to: "SOMEONE-ELSE", "private between strangers"))
        frames.append(message("u3", to: "SOMEONE-ELSE", "not for you"))
        frames.append(message("u4", from: "", to: "", "empty numbers"))
        frames.append(message("u5", ""))
        frames.append(message("u6", from: "two words", "from a number with a space"))
        // Duplicate ids.
        frames.append(message("dup-1", "first with id dup-1"))
        frames.append(message("dup-1", "second with id dup-1"))
        frames.append(message("dup-1", from: "EV1L2", "third with id dup-1"))
        // Presence that makes no sense: a leave of someone never there, a join twice, a hostile rename.
        let presence: [ClientInfo] = [
            ClientInfo(phoneNumber: "GHOST", status: .offline, properties: ["Nickname": "Ghost"]),
            peer("TWICE", ["Nickname": "Twice"]), peer("TWICE", ["Nickname": "Twice"]),
            peer("EV1L2", ["Nickname": .string("\u{1B}]0;pwned-rename\u{07}" + String(repeating: "R", count: 20_000))]),
            ClientInfo(phoneNumber: "TWICE", status: .offline), ClientInfo(phoneNumber: "TWICE", status: .offline),
            peer("", ["Nickname": "EmptyNumber"]), peer("two words", ["Nickname": "Spaced Number"]),
        ]
        frames.append(ServerFrame.clientStateChanged(presence).encoded)
        // A second grant in the middle of the session, with a different number and a room of three.
        frames.append(
            ServerFrame.accessGranted(phoneNumber: "OTHER", room: "\u{1B}]0;pwned-room\u{07}", clients: Array(hostilePeers.prefix(3))).encoded)
        frames.append(message("end-1", phaseOneDone))
        return frames
    }

    /// The last session's frames after the grant: hostile lines that stay on screen, then the `done` marker.
    static func lastSession() -> [String] {
        hostileTexts.prefix(16).enumerated().map { message("last-\($0.offset)", $0.element) } + [message("done", done)]
    }

    /// A room message whose frame is over 16 MiB.
    static func oversized() -> String {
        message("huge", String(repeating: "A", count: oversizeBytes))
    }
}
