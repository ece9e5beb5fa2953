import Testing

@testable import OzGateway

/// The `[limits]` table of the config file.
@Suite("Config: [limits]")
struct ConfigLimitsTests {
    static let line = "[[line]]\nname = \"lobby\"\ntoken = \"t\"\n"

    @Test func keysOverrideTheDefaults() throws {
        let text =
            Self.line + """

                [limits]
                message_rate = 5
                message_burst = 12
                connections_per_ip = 0
                connect_rate_per_ip = 3
                connect_burst_per_ip = 9
                max_properties_bytes = 1024
                max_members_per_room = 500
                max_snapshot_bytes = 65536
                max_pending_password_checks = 7
                handshake_timeout = 4
                per_ip_limits_on_loopback = true
                """
        let file = try GatewayConfigFile.parse(text, file: "gate.toml")
        #expect(
            file.limits
                == GatewayLimits(
                    messageRate: 5, messageBurst: 12, connectionsPerIP: 0, connectRatePerIP: 3, connectBurstPerIP: 9, maxPropertiesBytes: 1024,
                    maxMembersPerRoom: 500, maxSnapshotBytes: 65536, maxPendingPasswordChecks: 7, perIPLimitsOnLoopback: true))
        #expect(file.handshakeTimeout == 4)
        #expect(try GatewayConfigFile.parse(Self.line, file: "gate.toml").limits == .standard)
    }

    @Test(arguments: [
        ("[limits]\nmessage_rate = \"fast\"", "gate.toml:5: 'message_rate' in [limits] must be an integer, not a string"),
        ("[limits]\nmax_properties_bytes = 5000", "gate.toml:5: 'max_properties_bytes' must be between 2 and 4096, not 5000"),
        ("[limits]\nmessage_burst = 0", "gate.toml:5: 'message_burst' must be between 1 and 1000000, not 0"),
        // A snapshot over the 16 MiB a client accepts would be refused by every client.
        ("[limits]\nmax_snapshot_bytes = 16777217", "gate.toml:5: 'max_snapshot_bytes' must be between 16384 and 16777216, not 16777217"),
        ("[limits]\nmax_pending_password_checks = 0", "gate.toml:5: 'max_pending_password_checks' must be between 1 and 100000, not 0"),
        ("[limits]\nspeed = 3", "gate.toml:5: unknown key 'speed' in [limits]"),
        ("[[limits]]\nmessage_rate = 1", "gate.toml:4: [[limits]] must be a single table: [limits]"),
        ("[limits]\nper_ip_limits_on_loopback = 1", "gate.toml:5: 'per_ip_limits_on_loopback' in [limits] must be true or false, not an integer"),
    ])
    func badValuesPointAtTheirLine(table: String, message: String) {
        #expect {
            try GatewayConfigFile.parse(Self.line + table, file: "gate.toml")
        } throws: { error in
            String(describing: error).hasPrefix(message)
        }
    }
}
