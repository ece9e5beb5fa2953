/// Whether a gateway can take logins (ozgate's `/healthz`: 200, or 503 with the reason).
public enum GatewayHealth: Sendable, Equatable {
    case ready
    case unavailable(String)
}
